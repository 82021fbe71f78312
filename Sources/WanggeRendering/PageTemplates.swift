import Foundation
import Mustache

/// The Mustache templates shipped as this module's resources (`Sources/WanggeRendering/Resources`), read once.
public enum PageTemplates {
    /// The resources are not where the binary expects them.
    public struct Missing: Error, CustomStringConvertible {
        public var name: String
        public var description: String {
            "the page template \(name).mustache is missing: the folder Wangge_WanggeRendering.resources must stay beside the wangge binary"
        }
    }

    static let names = ["map", "summary", "change"]

    /// Every template, parsed once (a failure is kept and thrown by each render).
    static let library: Result<MustacheLibrary, any Error> = Result {
        var library = MustacheLibrary()
        for name in names {
            guard let url = Bundle.module.url(forResource: name, withExtension: "mustache", subdirectory: "Resources") else {
                throw Missing(name: name)
            }
            try library.register(String(decoding: try Data(contentsOf: url), as: UTF8.self), named: name)
        }
        return library
    }

    /// The template `name` filled with `object` (dictionaries and arrays of them).
    static func render(_ name: String, _ object: Any) throws -> String {
        guard let page = try library.get().render(object, withTemplate: name) else { throw Missing(name: name) }
        return page
    }
}
