/// When supervisors (监督员) take part in the loop: which channels' reports they verify on site before acceptance
/// (核实), whether they check every result before the centre closes it (核查), and the time each may take (for the
/// patrol figures). Without rules — or with `verify_channels` empty and `check_before_close` false — the loop works
/// without supervisors.
public struct SupervisionRules: Sendable, Codable, Equatable {
    public var verifyChannels: [EventChannel]
    public var checkBeforeClose: Bool
    /// Time to verify, from the report; time to check, from the resolution.
    public var verify: TimeLimit
    public var check: TimeLimit

    public init(verifyChannels: [EventChannel] = [], checkBeforeClose: Bool = false,
                verify: TimeLimit = .workingHours(2), check: TimeLimit = .workingHours(4)) {
        self.verifyChannels = verifyChannels; self.checkBeforeClose = checkBeforeClose; self.verify = verify; self.check = check
    }

    public static let off = SupervisionRules()

    public func requiresVerification(_ channel: EventChannel) -> Bool { verifyChannels.contains(channel) }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        verifyChannels = try c.decodeIfPresent([EventChannel].self, forKey: AnyKey("verify_channels")) ?? []
        checkBeforeClose = try c.decodeIfPresent(Bool.self, forKey: AnyKey("check_before_close")) ?? false
        verify = try TimeLimit.decode(c, prefix: "verify_", required: false) ?? .workingHours(2)
        check = try TimeLimit.decode(c, prefix: "check_", required: false) ?? .workingHours(4)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: AnyKey.self)
        try c.encode(verifyChannels, forKey: AnyKey("verify_channels"))
        try c.encode(checkBeforeClose, forKey: AnyKey("check_before_close"))
        try verify.encode(to: &c, prefix: "verify_")
        try check.encode(to: &c, prefix: "check_")
    }
}
