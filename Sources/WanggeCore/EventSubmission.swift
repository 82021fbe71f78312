/// A field that cannot be used, and why.
public struct FieldError: Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var reason: String

    public init(_ field: String, _ reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String { "\(field): \(reason)" }
}

/// One or more fields that cannot be used.
public struct InvalidFields: Error, Sendable, Equatable, CustomStringConvertible {
    public var errors: [FieldError]
    public init(_ errors: [FieldError]) { self.errors = errors }
    public var description: String { errors.map(\.description).joined(separator: "; ") }
}

/// An event as a reporter submits it (`POST /events`, Open311 later), checked field by field.
public struct EventSubmission: Sendable, Equatable {
    public var type: String
    public var severity: Int
    public var x: Double
    public var y: Double
    public var crs: CRS
    public var description: String
    /// Empty when not given.
    public var reporterName: String
    /// Empty when not given.
    public var reporterPhone: String
    /// Empty when not given.
    public var reporterEmail: String = ""
    public var mediaURL: String?
    /// The component (部件) it concerns: its identifier.
    public var component: String?
    public var channel: EventChannel
    /// Seconds since 1970; nil means "when it was reported".
    public var occurredAt: Double?

    public static let fields = ["type", "severity", "lon", "lat", "crs", "description", "reporter_name", "reporter_phone",
                                "reporter_email", "media_url", "channel", "occurred_at", "component"]
    public static let maxDescription = 2000
    public static let maxName = 100
    public static let maxPhone = 32
    public static let maxEmail = 254
    public static let maxURL = 500

    /// Reads a JSON object, reporting every problem at once: missing fields, wrong types, values out of range,
    /// oversize strings, unknown fields.
    public static func parse(_ o: JSONObject, now: Double) -> Result<EventSubmission, InvalidFields> {
        var errors: [FieldError] = []
        for k in o.keys where !fields.contains(k) {
            errors.append(FieldError(k, "unknown field; expected \(fields.joined(separator: ", "))"))
        }
        func string(_ k: String, max: Int, required: Bool = true, multiline: Bool = false) -> String? {
            guard let v = o[k], v != .null else {
                if required { errors.append(FieldError(k, "is required")) }
                return nil
            }
            guard case .string(let s) = v else { errors.append(FieldError(k, "must be a string, not \(v.typeDescription)")); return nil }
            if let why = TextField.problem(s, multiline: multiline) { errors.append(FieldError(k, why)); return nil }
            let t = s.trimmingWhitespace()
            if t.isEmpty && required { errors.append(FieldError(k, "must not be empty")); return nil }
            if t.count > max { errors.append(FieldError(k, "is \(t.count) characters; at most \(max) are allowed")); return nil }
            return t
        }
        func number(_ k: String) -> Double? {
            guard let v = o[k], v != .null else { errors.append(FieldError(k, "is required")); return nil }
            guard case .number(let n) = v else { errors.append(FieldError(k, "must be a number, not \(v.typeDescription)")); return nil }
            guard n.value.isFinite else { errors.append(FieldError(k, "must be a finite number")); return nil }
            return n.value
        }
        let type = string("type", max: 64)
        var severity: Int?
        if let s = number("severity") {
            if s == s.rounded(), (1...4).contains(s) { severity = Int(s) } else { errors.append(FieldError("severity", "must be an integer from 1 (minor) to 4 (most urgent), not \(s)")) }
        }
        let x = number("lon"), y = number("lat")
        var crs = CRS.wgs84
        if let c = string("crs", max: 64, required: false), !c.isEmpty {
            do { crs = try CRS(parsing: c) } catch { errors.append(FieldError("crs", error.description)) }
        }
        if let x, let y, crs == .wgs84 || crs == .gcj02 || crs == .bd09 {
            if abs(x) > 180 || abs(y) > 90 {
                let swapped = abs(y) <= 180 && abs(x) <= 90
                errors.append(FieldError(abs(x) > 180 ? "lon" : "lat", "[\(x), \(y)] is outside longitude −180…180 / latitude −90…90"
                    + (swapped ? "; lon and lat look swapped" : "")))
            }
        }
        let description = string("description", max: maxDescription, multiline: true)
        // Who reported it is optional (a hotline caller may give no name; the token always says who submitted it).
        let name = string("reporter_name", max: maxName, required: false) ?? ""
        let phone = string("reporter_phone", max: maxPhone, required: false) ?? ""
        if !phone.isEmpty, !phone.unicodeScalars.allSatisfy({ "0123456789+-() ".unicodeScalars.contains($0) }) || phone.filter(\.isNumber).count < 3 {
            errors.append(FieldError("reporter_phone", "must be a phone number (digits, spaces, + - and parentheses)"))
        }
        let email = string("reporter_email", max: maxEmail, required: false) ?? ""
        if !email.isEmpty, !Self.looksLikeEmail(email) {
            errors.append(FieldError("reporter_email", "must be an email address such as name@example.org"))
        }
        let media = string("media_url", max: maxURL, required: false).flatMap { $0.isEmpty ? nil : $0 }
        if let media, !(media.hasPrefix("https://") || media.hasPrefix("http://")) || media.contains(" ") {
            errors.append(FieldError("media_url", "must be an http(s) URL"))
        }
        let component = string("component", max: 32, required: false).flatMap { $0.isEmpty ? nil : $0 }
        if let component, !component.allSatisfy({ $0.isASCII && $0.isNumber }) {
            errors.append(FieldError("component", "must be a component identifier (digits: district, class and sequence)"))
        }
        var channel: EventChannel?
        if let c = string("channel", max: 32) {
            channel = EventChannel(rawValue: c)
            if channel == nil {
                errors.append(FieldError("channel", "must be one of \(EventChannel.allCases.map(\.rawValue).joined(separator: ", "))"))
            }
        }
        var occurred: Double?
        if let t = string("occurred_at", max: 64, required: false), !t.isEmpty {
            if let v = Timestamp.parse(t) {
                if v > now + 300 { errors.append(FieldError("occurred_at", "is in the future")) }
                else if v < 946_684_800 { errors.append(FieldError("occurred_at", "is before 2000")) }
                else { occurred = v }
            } else {
                errors.append(FieldError("occurred_at", "must be an RFC 3339 date-time such as 2026-11-26T09:30:00+08:00"))
            }
        }
        guard errors.isEmpty, let type, let severity, let x, let y, let description, let channel else {
            return .failure(InvalidFields(errors))
        }
        return .success(EventSubmission(type: type, severity: severity, x: x, y: y, crs: crs, description: description,
                                        reporterName: name, reporterPhone: phone, reporterEmail: email, mediaURL: media,
                                        component: component, channel: channel, occurredAt: occurred))
    }

    /// One @, something before it, a dot in the domain after it, no spaces.
    static func looksLikeEmail(_ s: String) -> Bool {
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix(".") else { return false }
        return !s.contains(where: { $0 == " " || $0 == "," || $0 == ";" })
    }
}
