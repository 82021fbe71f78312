/// What text a client may send. Control characters (U+0000–U+001F, U+007F–U+009F) other than tab — and line
/// breaks in text meant to have lines — are refused with a reason, never stored: storage would not keep them as
/// sent (SQLite's C strings end at a NUL), and an answer must never acknowledge what is not stored.
public enum TextField {
    /// Why `s` cannot be taken, or nil. `multiline` allows line feeds and carriage returns besides tabs.
    public static func problem(_ s: String, multiline: Bool) -> String? {
        for (i, u) in s.unicodeScalars.enumerated() {
            let v = u.value
            guard v < 0x20 || (0x7F...0x9F).contains(v) else { continue }
            if v == 0x09 || (multiline && (v == 0x0A || v == 0x0D)) { continue }
            let hex = String(v, radix: 16, uppercase: true)
            return "contains the control character U+\(String(repeating: "0", count: 4 - hex.count) + hex) at character \(i + 1); "
                + (multiline ? "only tabs and line breaks are allowed" : "only tabs are allowed (no line breaks)")
        }
        return nil
    }
}
