public import WanggeCore

/// How to read and check a boundary file.
public struct BoundaryOptions: Sendable {
    /// Property names in the source file.
    public struct Fields: Sendable, Equatable {
        public var code = "code"
        public var name = "name"
        public var level = "level"
        public var parent = "parent"
        public init() {}
    }

    public var layer: GridLayer
    /// The input CRS; nil means the file's own `crs` member, or WGS84 lon/lat (RFC 7946) when it has none.
    public var crs: CRS?
    public var fields = Fields()
    /// The residential layer's levels, top first (`--levels province,city,district`; street, community, courtyard,
    /// building by default). Kept with the version; the file's level values name them.
    public var levels = LevelScheme.standard
    /// Extra spellings of levels (e.g. `subdistrict` → `street`), by the name of the level in `levels` they stand
    /// for, on top of the levels' own names and the built-in English and Chinese names.
    public var levelAliases: [String: String] = [:]
    /// Gaps, overlaps and parts outside a parent narrower than this many metres are digitising noise, not defects.
    public var toleranceMetres: Double = 0.5
    /// Pieces of at most this many m² are slivers, not defects.
    public var sliverAreaM2: Double = 1.0
    /// Repair invalid polygons (GEOS MakeValid, structure method) instead of refusing them; never done unasked.
    public var repair = false
    /// A repair that moves a feature's geodesic area by more than this many percent is refused.
    public var repairMaxChangePercent: Double = 0.1

    /// The longest grid code (and parent code), in characters.
    public static let maxCodeLength = 64
    /// The longest grid name, in characters.
    public static let maxNameLength = 200
    /// The most a feature's properties may take, serialized as JSON, in bytes.
    public static let maxPropertiesBytes = 64 * 1024

    /// Accept top-level grids whose parent lies outside the file (a district's streets under a district code that
    /// is not itself a grid here); the outside parent is kept as the property `external_parent`.
    public var externalRoot = false
    /// Check residential codes against a code scheme (nil: codes are free text).
    public var codeScheme: CodeScheme?

    public init(layer: GridLayer, crs: CRS? = nil) {
        self.layer = layer
        self.crs = crs
    }

    /// Built-in level names: the English ones, `subdistrict`, and the Chinese names of the four levels.
    public static let builtInLevelNames: [String: GridLevel] = [
        "street": .street, "subdistrict": .street, "街道": .street,
        "community": .community, "社区": .community, "社区网格": .community,
        "courtyard": .courtyard, "楼院": .courtyard, "楼院网格": .courtyard,
        "building": .building, "楼栋": .building, "楼栋网格": .building,
    ]

    /// The level a file's value names: an alias, a level's own name (any case) or Chinese name, or a built-in
    /// spelling of a level the scheme has (by name: `街道` is the scheme's `street`, if it has one).
    func level(named text: String) -> GridLevel? {
        if let alias = levelAliases[text] { return levels.level(named: alias) }
        let lower = text.lowercased()
        if let l = levels.level(named: lower) ?? levels.levels.first(where: { $0.chineseName == text }) { return l }
        return (Self.builtInLevelNames[text] ?? Self.builtInLevelNames[lower]).flatMap { levels.level(named: $0.name) }
    }

    /// Checks the aliases against the levels (`--level-map VALUE=LEVEL`).
    /// - Throws: a message naming an alias whose level the scheme does not have.
    public func checkAliases() throws(WanggeError) {
        for (value, name) in levelAliases.sorted(by: { $0.key < $1.key }) where levels.level(named: name) == nil {
            throw .invalidInput("--level-map \(value)=\(name): the levels are \(levels.names.joined(separator: ", ")); \(name) is not one of them")
        }
    }
}

/// The outcome of checking a boundary file: the grids ready to store when there is no defect.
public struct BoundaryCheckResult: Sendable {
    public var layer: GridLayer
    public var crs: CRS
    public var featureCount: Int
    /// Every defect found; the file may be stored only when this is empty.
    public var defects: [Defect]
    /// Checked grids in WGS84 with RFC 7946 orientation; empty when there are defects.
    public var grids: [GridFeature]
    /// The polygons repaired (only with `BoundaryOptions.repair`), in file order.
    public var repairs: [BoundaryRepair] = []

    public var isClean: Bool { defects.isEmpty }
}

/// What a repair changed in one feature: geodesic area and polygon parts before and after.
public struct BoundaryRepair: Sendable, Equatable, CustomStringConvertible {
    /// 0-based index of the feature in the file.
    public var featureIndex: Int
    public var code: String
    public var areaBeforeM2: Double
    public var areaAfterM2: Double
    public var partsBefore: Int
    public var partsAfter: Int
    /// GEOS's reason the polygon was invalid.
    public var reason: String

    /// |after − before| ÷ before, in percent (infinite when there was no area before and is some after).
    public var changePercent: Double {
        let delta = abs(areaAfterM2 - areaBeforeM2)
        return delta == 0 ? 0 : areaBeforeM2 > 0 ? delta / areaBeforeM2 * 100 : .infinity
    }

    /// "feature 3 (code C1): repaired (Self-intersection): area 12 345.6 → 12 340.1 m² (−0.045 %), parts 1 → 2"
    public var description: String {
        let sign = areaAfterM2 < areaBeforeM2 ? "−" : "+"
        return "feature \(featureIndex) (code \(code)): repaired (\(reason)): area \(Self.m2(areaBeforeM2)) → \(Self.m2(areaAfterM2)) m² "
            + "(\(sign)\(Self.percent(changePercent)) %), parts \(partsBefore) → \(partsAfter)"
    }

    static func m2(_ v: Double) -> String { "\((v * 10).rounded() / 10)" }
    static func percent(_ v: Double) -> String { v.isFinite ? "\((v * 1000).rounded() / 1000)" : "∞" }
}

/// Grid codes by the national scheme (GB/T 30428 and the city practice built on it): a code is digits only; a
/// street's is its district's 6-digit administrative code followed by the street's own digits; every child's code
/// is its parent's followed by its own. The digits per level are configurable: the default is street 3, community
/// 3, courtyard (the unit grid) 2, building 2; Beijing, for one, gives the unit grid 3.
public struct CodeScheme: Sendable, Equatable {
    /// The district's administrative code in front of a street's.
    public static let districtDigits = 6
    /// Digits per level, by level name.
    public var digits: [String: Int]

    /// The national scheme's digits for the standard levels (Beijing gives the unit grid 3: `courtyard=3`).
    public static let standardDigits = ["street": 3, "community": 3, "courtyard": 2, "building": 2]

    public init(digits: [String: Int] = standardDigits) {
        self.digits = digits
    }

    /// `gbt30428`, optionally with the digits per level: `gbt30428:street=3,community=3,courtyard=3,building=2`. With
    /// other levels than the standard ones (`levels`), every level needs its digits: `gbt30428:city=0,district=0,…`.
    /// - Throws: a message naming what is wrong.
    public init(parsing text: String, levels: LevelScheme = .standard) throws(CodeSchemeError) {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        let usage = "gbt30428[:" + levels.names.map { "\($0)=\(Self.standardDigits[$0] ?? 2)" }.joined(separator: ",") + "]"
        guard parts.first?.lowercased() == "gbt30428" else { throw CodeSchemeError("unknown code scheme \"\(text)\": the scheme is \(usage)") }
        self.init(digits: Self.standardDigits.filter { levels.level(named: $0.key) != nil })
        if parts.count == 2 {
            for item in parts[1].split(separator: ",") {
                let kv = item.split(separator: "=").map { String($0).trimmingWhitespace() }
                guard kv.count == 2, levels.level(named: kv[0]) != nil, let n = Int(kv[1]), (0...6).contains(n) else {
                    throw CodeSchemeError("code scheme: \"\(item)\" must be LEVEL=DIGITS with a level of \(levels.names.joined(separator: ", ")) and 0–6 digits")
                }
                digits[kv[0]] = n
            }
        }
        if let missing = levels.names.first(where: { digits[$0] == nil }) {
            throw CodeSchemeError("code scheme: give the digits of the \(missing) level (\(usage))")
        }
    }

    /// The length of a code at `level`: the district's digits and those of every level down to it.
    public func length(_ level: GridLevel, in levels: LevelScheme = .standard) -> Int {
        Self.districtDigits + levels.levels.filter { $0 <= level }.reduce(0) { $0 + (digits[$1.name] ?? 0) }
    }

    /// What is wrong with `code` at `level` under parent `parent` (nil: nothing).
    public func problem(code: String, level: GridLevel, parent: String?, in levels: LevelScheme = .standard) -> String? {
        guard !code.isEmpty, code.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            return "code \"\(code)\" is not all digits, as the GB/T 30428 scheme asks"
        }
        let own = digits[level.name] ?? 0
        if let parent, !code.hasPrefix(parent) || code.count != parent.count + own {
            return "code \"\(code)\" of a \(level.name) must be its parent's code \(parent) followed by \(own) digit\(own == 1 ? "" : "s") (GB/T 30428 scheme)"
        }
        let length = length(level, in: levels)
        guard code.count == length else {
            return "code \"\(code)\" of a \(level.name) must have \(length) digits under the GB/T 30428 scheme (the district's \(Self.districtDigits), then \(levels.levels.filter { $0 <= level }.map { "\(digits[$0.name] ?? 0) for the \($0.name)" }.joined(separator: ", "))), not \(code.count)"
        }
        return nil
    }
}

public struct CodeSchemeError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ d: String) { description = d }
}
