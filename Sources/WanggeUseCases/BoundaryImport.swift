import Foundation
public import WanggeCore
public import WanggeGeo

/// Boundary import: read a GeoJSON file, check everything, write the defect layer if asked, and store the file as a
/// new version of its layer in one transaction only when nothing is wrong — staged, or activated at once.
public struct BoundaryImport {
    public var options: BoundaryOptions
    /// Write the defects (possibly none) as GeoJSON here.
    public var reportPath: String?
    /// Check only; store nothing.
    public var dryRun = false
    /// Make the new version the layer's boundaries at once (false: staged, for `activate` after a look at its diff).
    public var activate: Bool

    public init(options: BoundaryOptions, reportPath: String? = nil, dryRun: Bool = false, activate: Bool = true) {
        self.options = options
        self.reportPath = reportPath
        self.dryRun = dryRun
        self.activate = activate
    }

    public struct Outcome: Sendable {
        public var check: BoundaryCheckResult
        /// The version that landed (staged or active); nil for a dry run or when there were defects.
        public var landed: LayerImport?
    }

    /// Checks `data` (named `source` in messages and history) and stores it into `repository` when clean.
    /// - Throws: `WanggeError.io` when the report cannot be written, or the repository's error (nothing is stored
    ///   then either).
    public func run(data: [UInt8], source: String, repository: (any GridRepository)?,
                    validator: BoundaryValidator = BoundaryValidator()) throws -> Outcome {
        try store(validator.check(data, options: options), source: source, repository: repository)
    }

    /// Checks a file already read (an upload read as it arrived) and stores it as `run(data:)` does.
    public func run(read: consuming Result<GeoJSONDocument, any Error>, source: String, repository: (any GridRepository)?,
                    validator: BoundaryValidator = BoundaryValidator()) throws -> Outcome {
        try store(validator.check(consume read, options: options), source: source, repository: repository)
    }

    func store(_ check: BoundaryCheckResult, source: String, repository: (any GridRepository)?) throws -> Outcome {
        if let reportPath {
            try FileIO.write(DefectReport.geoJSON(check.defects), to: reportPath)
        }
        guard check.isClean, !dryRun, let repository else {
            return Outcome(check: check, landed: nil)
        }
        let crs = check.crs.description
        let levels = options.layer == .residential ? options.levels : .standard
        let landed = activate ? try repository.replaceLayer(options.layer, with: check.grids, levels: levels, source: source, crs: crs)
                              : try repository.stageLayer(options.layer, with: check.grids, levels: levels, source: source, crs: crs)
        return Outcome(check: check, landed: landed)
    }

    public func run(file: String, repository: (any GridRepository)?,
                    validator: BoundaryValidator = BoundaryValidator()) throws -> Outcome {
        try run(data: FileIO.read(file), source: (file as NSString).lastPathComponent, repository: repository,
                validator: validator)
    }
}
