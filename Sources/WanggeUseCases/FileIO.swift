import Foundation
import WanggeCore

/// Whole-file reads and atomic writes, with errors that name the file.
public enum FileIO {
    public static func read(_ path: String) throws -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw WanggeError.notFound("no file at \(path)")
        }
        do {
            return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw WanggeError.io("cannot read \(path): \(error.localizedDescription)")
        }
    }

    /// Writes to a temporary file beside `path` and renames it over `path`, so readers never see half a file.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url, options: .atomic)
        } catch {
            throw WanggeError.io("cannot write \(path): \(error.localizedDescription)")
        }
    }
}
