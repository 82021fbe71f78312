import Foundation
public import WanggeCore
import WanggeGeo

/// A grid report drawn as a choropleth in SVG: one figure per grid in five classes, grid names where they fit,
/// a legend, a scale bar and a north arrow, north up. Self-contained (no fonts, scripts or images from elsewhere),
/// so it prints, embeds in the HTML summary and opens in any browser.
public enum ChoroplethSVG {
    /// The figures that make sense on a map: numeric columns of the grid report.
    public static let figures: [(key: String, label: String, higherIsBetter: Bool, percent: Bool)] = [
        ("density_per_km2", "Events per km² · 每平方公里事件数", false, false),
        ("received", "Events received · 受理事件数", false, false),
        ("resolution_rate", "Resolution rate · 办结率", true, true),
        ("satisfaction_rate", "Satisfaction rate · 满意率", true, true),
        ("on_time_rate", "On-time rate · 按时办结率", true, true),
        ("overdue", "Overdue · 超期", false, false),
        ("open", "Open · 未办结", false, false),
        ("median_hours_to_accept", "Median hours to accept · 受理用时中位数（小时）", false, false),
        ("median_hours_to_resolve", "Median hours to resolve · 办结用时中位数（小时）", false, false),
        ("median_hours_to_close", "Median hours to close · 结案用时中位数（小时）", false, false),
        ("reworks", "Reworks · 返工", false, false),
        ("returns", "Wrong dispatches returned · 退件", false, false),
        ("dissatisfied", "Dissatisfied residents · 不满意", false, false),
        ("outside", "Reported outside the grids · 网格外", false, false),
    ]

    public static let defaultFigure = "density_per_km2"

    /// Sequential ramps, light to dark: reds for figures where more is worse, greens where more is better.
    static let worse = ["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"]
    static let better = ["#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c"]
    static let noData = "#e6e6e6"

    public struct Options: Sendable {
        public var figure = ChoroplethSVG.defaultFigure
        public var width = 1000.0
        public var title: String?
        public init(figure: String = ChoroplethSVG.defaultFigure, width: Double = 1000, title: String? = nil) {
            self.figure = figure; self.width = width; self.title = title
        }
    }

    public enum SVGError: Error, CustomStringConvertible {
        case unknownFigure(String)
        public var description: String {
            switch self {
            case .unknownFigure(let f): return "unknown figure \"\(f)\"; one of \(figures.map(\.key).joined(separator: ", "))"
            }
        }
    }

    /// Five classes at the quintiles of the values present (fewer when there are fewer distinct values); the upper
    /// bound of each class, ascending.
    static func breaks(_ values: [Double]) -> [Double] {
        let v = values.sorted()
        guard !v.isEmpty else { return [] }
        var b: [Double] = []
        for k in 1...5 {
            let x = v[min(v.count - 1, Int((Double(k) / 5 * Double(v.count)).rounded(.up)) - 1)]
            if b.last != x { b.append(x) }
        }
        return b
    }

    public static func render(_ report: GridReport, options: Options = Options()) throws -> String {
        guard let figure = figures.first(where: { $0.key == options.figure }) else { throw SVGError.unknownFigure(options.figure) }
        let types = report.types
        // Geometry and value per grid.
        var shapes: [(grid: ReportGrid, geometry: GeometryValue, value: Double?)] = []
        var box = BoundingBox.empty
        for row in report.rows where !row.grid.wkb.isEmpty {
            let g = try WKB.decode(row.grid.wkb)
            let cols = report.columns(row, types: types)
            let value = cols.first { $0.0 == figure.key }?.1.doubleValue
            shapes.append((row.grid, g, value))
            box.extend(g.boundingBox)
        }
        let values = shapes.compactMap(\.value)
        let classes = breaks(values)
        let ramp = figure.higherIsBetter ? better : worse
        func colour(_ v: Double?) -> String {
            guard let v else { return noData }
            let i = classes.firstIndex { v <= $0 } ?? classes.count - 1
            // Spread fewer classes over the ramp's whole range.
            let k = classes.count <= 1 ? ramp.count - 1 : Int((Double(i) / Double(classes.count - 1) * Double(ramp.count - 1)).rounded())
            return ramp[k]
        }
        func format(_ v: Double) -> String {
            if figure.percent { return String(format: "%.1f %%", v * 100) }
            return v == v.rounded() ? String(Int(v)) : String(format: "%.1f", v)
        }

        // North up: a local equirectangular plane, metres per degree of longitude shrunk by cos(latitude).
        let mapWidth = options.width - 260, margin = 20.0, top = 70.0
        let lat0 = box.isEmpty ? 0 : box.centerY
        let kx = cos(lat0 * .pi / 180)
        let spanX = max((box.maxX - box.minX) * kx, 1e-9), spanY = max(box.maxY - box.minY, 1e-9)
        let scale = (mapWidth - 2 * margin) / spanX  // px per degree of latitude
        let mapHeight = spanY * scale + 2 * margin
        let height = max(mapHeight + top + 40, 420)
        func px(_ x: Double, _ y: Double) -> (Double, Double) {
            (margin + (x - box.minX) * kx * scale, top + margin + (box.maxY - y) * scale)
        }
        func n(_ v: Double) -> String { String(format: "%.1f", v) }

        var s = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(n(options.width))" height="\(n(height))" viewBox="0 0 \(n(options.width)) \(n(height))" font-family="'Noto Sans CJK SC','WenQuanYi Micro Hei','Microsoft YaHei','PingFang SC',sans-serif">
            <rect width="100%" height="100%" fill="#ffffff"/>

            """
        let title = options.title ?? "\(report.scope) grids · \(figure.label)"
        s += "<text x=\"\(n(margin))\" y=\"30\" font-size=\"20\" font-weight=\"bold\">\(xml(title))</text>\n"
        s += "<text x=\"\(n(margin))\" y=\"54\" font-size=\"13\" fill=\"#444\">\(xml("\(report.period.label): \(report.period.readableRange) (\(report.period.timeZone)) · \(report.total.received) events · as of \(report.period.readableInstant(report.asOf))"))</text>\n"

        // Polygons, then labels on top.
        s += "<g stroke=\"#ffffff\" stroke-width=\"0.8\" stroke-linejoin=\"round\">\n"
        for shape in shapes {
            var d = ""
            for polygon in shape.geometry.polygons {
                for ring in polygon.rings {
                    for i in 0..<ring.pointCount {
                        let (x, y) = px(ring.xy[2 * i], ring.xy[2 * i + 1])
                        d += (i == 0 ? "M" : "L") + n(x) + " " + n(y)
                    }
                    d += "Z"
                }
            }
            let tip = "\(shape.grid.name) (\(shape.grid.code)): " + (shape.value.map(format) ?? "no data")
            s += "<path d=\"\(d)\" fill=\"\(colour(shape.value))\" fill-rule=\"evenodd\"><title>\(xml(tip))</title></path>\n"
        }
        s += "</g>\n<g font-size=\"11\" text-anchor=\"middle\" fill=\"#222\" stroke=\"#ffffff\" stroke-width=\"2.5\" paint-order=\"stroke\">\n"
        let context = GeosContext()  // owned here, used on this thread only, freed when the function returns
        for shape in shapes {
            let b = shape.geometry.boundingBox
            let (x0, y0) = px(b.minX, b.maxY), (x1, y1) = px(b.maxX, b.minY)
            let label = shape.grid.name
            let labelWidth = Double(label.unicodeScalars.reduce(0) { $0 + ($1.value > 0x2E80 ? 11 : 6) })
            guard x1 - x0 > labelWidth * 0.9, y1 - y0 > 14 else { continue }  // no room: the tooltip still names it
            guard let p = try? GeosGeometry(shape.geometry, in: context).pointOnSurface().value(),
                  case .point(let lx, let ly) = p else { continue }
            let (x, y) = px(lx, ly)
            s += "<text x=\"\(n(x))\" y=\"\(n(y + 4))\">\(xml(label))</text>\n"
        }
        s += "</g>\n"

        // Legend.
        let lx = options.width - 230
        var ly = top + 10
        s += "<g font-size=\"12\">\n<text x=\"\(n(lx))\" y=\"\(n(ly))\" font-weight=\"bold\">\(xml(figure.label))</text>\n"
        ly += 14
        var lower = values.min()
        for (i, upper) in classes.enumerated() {
            let c = colour(upper)
            let text = i == 0 || lower == upper ? (lower == upper ? format(upper) : "\(format(lower ?? upper)) – \(format(upper))") : "> \(format(lower!)) – \(format(upper))"
            s += "<rect x=\"\(n(lx))\" y=\"\(n(ly))\" width=\"22\" height=\"16\" fill=\"\(c)\" stroke=\"#999\" stroke-width=\"0.5\"/>"
            s += "<text x=\"\(n(lx + 30))\" y=\"\(n(ly + 12))\">\(xml(text))</text>\n"
            ly += 22
            lower = upper
        }
        if values.count < shapes.count {
            s += "<rect x=\"\(n(lx))\" y=\"\(n(ly))\" width=\"22\" height=\"16\" fill=\"\(noData)\" stroke=\"#999\" stroke-width=\"0.5\"/>"
            s += "<text x=\"\(n(lx + 30))\" y=\"\(n(ly + 12))\">no data · 无数据</text>\n"
            ly += 22
        }
        s += "<text x=\"\(n(lx))\" y=\"\(n(ly + 14))\" fill=\"#666\" font-size=\"11\">\(shapes.count) grids; classes at quintiles</text>\n</g>\n"

        // North arrow (top right of the map) and scale bar (bottom left).
        let nx = mapWidth - 30, ny = top + 20
        s += "<g><path d=\"M\(n(nx)) \(n(ny))l-9 26l9-7l9 7z\" fill=\"#222\"/><text x=\"\(n(nx))\" y=\"\(n(ny + 42))\" font-size=\"13\" text-anchor=\"middle\">N</text></g>\n"
        let metresPerPx = 111_320.0 / scale  // a degree of latitude is ~111.32 km
        let target = metresPerPx * (mapWidth / 5)
        let nice = [10.0, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000].last { $0 <= target } ?? 10
        let barPx = nice / metresPerPx, bx = margin, by = top + mapHeight + 10
        s += "<g font-size=\"11\"><rect x=\"\(n(bx))\" y=\"\(n(by))\" width=\"\(n(barPx / 2))\" height=\"6\" fill=\"#222\"/>"
        s += "<rect x=\"\(n(bx + barPx / 2))\" y=\"\(n(by))\" width=\"\(n(barPx / 2))\" height=\"6\" fill=\"#fff\" stroke=\"#222\" stroke-width=\"1\"/>"
        s += "<text x=\"\(n(bx))\" y=\"\(n(by + 20))\">0</text><text x=\"\(n(bx + barPx))\" y=\"\(n(by + 20))\" text-anchor=\"middle\">\(nice >= 1000 ? "\(format(nice / 1000)) km" : "\(Int(nice)) m")</text></g>\n"
        s += "</svg>\n"
        return s
    }

    /// Text for an SVG/HTML text node or attribute (XMLWriter's escaping).
    public static func xml(_ s: String) -> String { XMLWriter.escape(s) }
}
