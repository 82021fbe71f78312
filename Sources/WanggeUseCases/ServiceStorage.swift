public import WanggeCore

/// Everything the service stores, as the repository protocols the use cases read and write through. SQLite
/// (`AppDatabase`) implements it; so can another backend.
public typealias ServiceStorage = GridRepository & EventRepository & WorkflowRepository & TokenRepository
    & ReportRepository & ExportRepository & FeatureRepository & CommunityRepository & AuditRepository & StorageMaintenance
