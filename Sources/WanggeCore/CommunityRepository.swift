/// Where the people, organisations, party and joint-building records are kept.
public protocol CommunityRepository: Sendable {
    /// Replaces the whole roster in one transaction.
    func replaceRoster(_ roster: Roster) throws
    func roster() throws -> Roster
    /// Replaces every organisation (with its assignment), recording `moves` when boundaries moved them.
    func replaceOrganisations(_ list: [Organisation], moves: [OrganisationMove], at: Double) throws
    func organisations() throws -> [Organisation]
    /// Replaces every component (部件) in one transaction.
    func replaceComponents(_ list: [Component]) throws
    /// Every component, by identifier.
    func components() throws -> [Component]
    /// The latest moves, newest first.
    func organisationMoves(limit: Int) throws -> [(at: Double, move: OrganisationMove)]
    func replaceParty(_ party: PartyOrganisation) throws
    func party() throws -> PartyOrganisation
    /// Replaces themes, links and activities; activities get fresh ids.
    func replaceJointBuilding(_ j: JointBuilding) throws
    func jointBuilding() throws -> JointBuilding
    /// Records one activity; returns it with its id.
    func addActivity(_ a: JointBuilding.Activity) throws -> JointBuilding.Activity
}
