import WanggeCore

/// The map page at `/map`: one self-contained HTML document (no external scripts, fonts or tiles) that reads the
/// grid collections and, with a token, the events from the OGC API and draws them on a canvas in Web Mercator.
/// With a token that may submit events it also takes reports: a click opens a form that shows the possible
/// duplicates at that point before the report is sent. It is `Resources/map.mustache`, filled with the report
/// figures a grid can be coloured by and the intake's field limits.
public enum MapPage {
    /// The page as served.
    /// - Throws: `PageTemplates.Missing` when the module's resources are not beside the binary.
    public static func html() throws -> String {
        let figures = ChoroplethSVG.figures.map { f -> [String: Any] in
            ["key": f.key, "label": f.label, "percent": f.percent, "selected": f.key == "resolution_rate"]
        }
        return try PageTemplates.render("map", ["figures": figures, "maxDescription": EventSubmission.maxDescription,
                                                "maxName": EventSubmission.maxName, "maxPhone": EventSubmission.maxPhone])
    }
}
