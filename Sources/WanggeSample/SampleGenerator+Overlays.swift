import Foundation
import WanggeCore
import WanggeGeo

extension SampleGenerator {
    struct Overlays {
        var functional: [Overlay]
        var industry: [Overlay]
        var organisations: [Organisation]
        var attempt = 0
    }

    /// Overlay grids drawn around the organisations they group: each is the convex hull of its members buffered by
    /// a few dozen metres and clipped to the street, so overlays overlap each other and cut across the residential
    /// grids, as real functional and industry grids do.
    func makeOverlays(_ rng: inout SampleRandom, residential: [Grid], geos: GeosContext,
                      local: ProjTransform) throws -> Overlays {
        guard let streetValue = residential.first(where: { $0.level == .street })?.geometry else {
            throw RetryableSampleProblem(message: "no street")
        }
        var streetLocal = streetValue
        streetLocal.transformCoordinates { local.transform(&$0) }
        let street = try GeosGeometry(streetLocal, in: geos)
        let streetPrepared = try GeosPreparedGeometry(street)
        let inner = try street.buffer(-120)
        let innerPrepared = try GeosPreparedGeometry(inner)
        let b = street.bounds

        func centre() throws -> (Double, Double) {
            while true {
                let x = rng.uniform(b.minX, b.maxX), y = rng.uniform(b.minY, b.maxY)
                if try innerPrepared.contains(x: x, y: y) { return (x, y) }
            }
        }

        func group(_ groups: [SampleNames.OverlayGroup], layer: GridLayer, spread: Double, margin: Double,
                   idPrefix: String, orgIDPrefix: String, kindOf: (String) -> String) throws -> ([Overlay], [Organisation]) {
            var overlays: [Overlay] = []
            var orgs: [Organisation] = []
            var orgNumber = 0
            for (gi, g) in groups.enumerated() {
                let c = try centre()
                var pts: [(Double, Double)] = []
                while pts.count < g.members.count {
                    let x = c.0 + rng.normal() * spread, y = c.1 + rng.normal() * spread
                    if try streetPrepared.contains(x: x, y: y) { pts.append((x, y)) }
                }
                let zone = try GeosGeometry.multiPoint(pts, in: geos).convexHull().buffer(margin, quadrantSegments: 6)
                    .intersection(street)
                guard zone.typeID == 3 else { throw RetryableSampleProblem(message: "an overlay in pieces") }
                var value = try zone.value()
                value.transformCoordinates { xy in
                    local.transform(&xy, inverse: true)
                    for i in xy.indices { xy[i] = (xy[i] * 1e7).rounded() / 1e7 }
                }
                value = value.orientedForOutput()
                let check = try GeosGeometry(value, in: geos)
                guard try check.invalidity() == nil else { throw RetryableSampleProblem(message: "an overlay invalid after rounding") }
                let checkPrepared = try GeosPreparedGeometry(check)
                let code = "\(idPrefix)\(String(format: "%02d", gi + 1))"
                var props = JSONObject()
                props["trade"] = .string(g.trade)
                props["trade_zh"] = .string(g.tradeChinese)
                props["members"] = .number(JSONNumber(g.members.count))
                overlays.append(Overlay(layer: layer, code: code, name: g.name, geometry: value, properties: props))
                for (k, p) in pts.enumerated() {
                    var xy = [p.0, p.1]
                    local.transform(&xy, inverse: true)
                    let lon = (xy[0] * 1e7).rounded() / 1e7, lat = (xy[1] * 1e7).rounded() / 1e7
                    guard try checkPrepared.contains(x: lon, y: lat) else {
                        throw RetryableSampleProblem(message: "an organisation outside its grid after rounding")
                    }
                    orgNumber += 1
                    orgs.append(Organisation(id: "\(orgIDPrefix)\(String(format: "%03d", orgNumber))",
                                             name: g.members[k].name, kind: kindOf(g.members[k].kind),
                                             category: g.trade, lon: lon, lat: lat, grid: code, layer: layer))
                }
            }
            return (overlays, orgs)
        }

        let (functional, institutions) = try group(SampleNames.functionalGroups(&rng), layer: .functional,
                                                   spread: 260, margin: 45, idPrefix: "GN", orgIDPrefix: "PI",
                                                   kindOf: { _ in "public_institution" })
        let (industry, firms) = try group(SampleNames.industryGroups(&rng), layer: .industry,
                                          spread: 130, margin: 35, idPrefix: "HY", orgIDPrefix: "NP",
                                          kindOf: { $0 })
        return Overlays(functional: functional, industry: industry, organisations: institutions + firms)
    }
}
