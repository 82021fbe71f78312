import Testing
@testable import WanggeCore

private typealias E = CQL2.Expression
private func p(_ n: String) -> CQL2.Operand { .property(n) }

@Suite("CQL2 filters")
struct CQL2Tests {

    @Test("CQL2-text: every operator, precedence (NOT over AND over OR), parentheses, quoting and case", arguments: [
        ("status = 'closed'", E.compare(p("status"), .eq, .string("closed"))),
        ("severity >= 3", E.compare(p("severity"), .ge, .number(3))),
        ("severity <> 3", E.compare(p("severity"), .ne, .number(3))),
        ("severity != -3.5e0", E.compare(p("severity"), .ne, .number(-3.5))),
        ("a < 1 OR b > 2 AND c <= 3", E.or([.compare(p("a"), .lt, .number(1)), .and([.compare(p("b"), .gt, .number(2)), .compare(p("c"), .le, .number(3))])])),
        ("(a < 1 OR b > 2) and not c = 3", E.and([.or([.compare(p("a"), .lt, .number(1)), .compare(p("b"), .gt, .number(2))]), .not(.compare(p("c"), .eq, .number(3)))])),
        ("name LIKE 'O''Brien%'", E.like(p("name"), pattern: "O'Brien%", caseInsensitive: false)),
        ("name NOT LIKE '_x'", E.not(.like(p("name"), pattern: "_x", caseInsensitive: false))),
        ("name ILIKE 'x%'", E.like(p("name"), pattern: "x%", caseInsensitive: true)),
        ("severity IN (1, 2)", E.isIn(p("severity"), [.number(1), .number(2)])),
        ("type NOT IN ('a')", E.not(.isIn(p("type"), [.string("a")]))),
        ("severity BETWEEN 2 AND 3", E.between(p("severity"), .number(2), .number(3))),
        ("severity NOT BETWEEN 2 AND 3", E.not(.between(p("severity"), .number(2), .number(3)))),
        ("street IS NULL", E.isNull(p("street"))),
        ("street IS NOT NULL", E.not(.isNull(p("street")))),
        ("\"street\" = \"community\"", E.compare(p("street"), .eq, p("community"))),
        ("outside = TRUE", E.compare(p("outside"), .eq, .boolean(true))),
        ("false", E.literal(false)),
        ("occurred_at > TIMESTAMP('2026-09-01T00:00:00Z')", E.compare(p("occurred_at"), .gt, .timestamp(1788220800))),
        ("occurred_at >= DATE('2026-09-01')", E.compare(p("occurred_at"), .ge, .timestamp(1788192000))),
        ("S_INTERSECTS(geometry, BBOX(114.4, 38.0, 114.5, 38.1))", E.intersects(property: "geometry", .bbox(BoundingBox(minX: 114.4, minY: 38, maxX: 114.5, maxY: 38.1)))),
        ("s_intersects(POINT(114.4 38.0), geometry)", E.intersects(property: "geometry", .point(x: 114.4, y: 38))),
        ("S_INTERSECTS(geometry, POLYGON((0 0, 1 0, 0 1, 0 0)))", E.intersects(property: "geometry", .polygons([Polygon(rings: [Ring(xy: [0, 0, 1, 0, 0, 1, 0, 0])])]))),
        ("名称 = '西苑'", E.compare(p("名称"), .eq, .string("西苑"))),
        ("T_AFTER(t, TIMESTAMP('2026-09-01T00:00:00Z'))", E.compare(p("t"), .gt, .timestamp(1788220800))),
        ("t_before(t, DATE('2026-09-01'))", E.compare(p("t"), .lt, .timestamp(1788192000))),
        ("T_EQUALS(t, TIMESTAMP('2026-09-01T00:00:00Z'))", E.compare(p("t"), .eq, .timestamp(1788220800))),
        ("T_DURING(t, INTERVAL('2026-09-01T00:00:00Z', '..'))", E.and([.compare(p("t"), .gt, .timestamp(1788220800)), .literal(true)])),
        ("T_INTERSECTS(t, INTERVAL('..', '2026-09-01T00:00:00Z'))", E.and([.literal(true), .compare(p("t"), .le, .timestamp(1788220800))])),
        ("T_AFTER(t, INTERVAL('2026-09-01T00:00:00Z', '..'))", E.literal(false)),
    ])
    fileprivate func text(_ source: String, _ expected: CQL2.Expression) throws {
        #expect(try CQL2.parseText(source) == expected)
    }

    @Test("syntax errors name the token and its character", arguments: [
        ("status = ", "the filter ends where a property or a value was expected"),
        ("status = 'closed' OR", "the filter ends where a property or a value was expected"),
        ("status == 'closed'", "unexpected '=' at character 9"),
        ("status = 'closed", "unterminated string starting at character 10"),
        ("(a = 1", "the filter ends where ')' was expected"),
        ("a = 1)", "unexpected ')' at character 6 (expected the end of the filter)"),
        ("a ~ 1", "unexpected '~' at character 3"),
        ("a BETWEEN 1 OR 2", "unexpected 'OR' at character 13 (expected AND in BETWEEN)"),
        ("a IN 1", "unexpected '1' at character 6 (expected '(' after IN)"),
        ("a", "the filter ends where a comparison (=, <>, <, <=, >, >=, LIKE, BETWEEN, IN, IS NULL) was expected"),
        ("a = TIMESTAMP('yesterday')", "TIMESTAMP('yesterday') at character 15 is not an RFC 3339 time"),
        ("S_INTERSECTS(geometry, BBOX(1,2,3))", "BBOX takes 4 numbers (or 6 with heights), not 3"),
        ("S_INTERSECTS(geometry, POLYGON((0 0, 1 0, 0 1, 1 1)))", "is not closed"),
        ("S_INTERSECTS(geometry, POLYGON((0 0, 1 0, 0 0)))", "needs at least 4 positions"),
        ("S_INTERSECTS(geometry, POLYGON((0 0, 1 0 0 1, 0 0)))", "unexpected '0' at character"),
        ("T_DURING(t, TIMESTAMP('2026-09-01T00:00:00Z'))", "T_DURING at character 1 needs an INTERVAL"),
        ("T_AFTER(t, INTERVAL('soon', '..'))", "'soon' at character 21 is not an RFC 3339 time, a date or '..'"),
        ("T_AFTER(TIMESTAMP('2026-09-01T00:00:00Z'), t)", "T_AFTER at character 1 takes a date-time property first"),
    ])
    func syntaxErrors(_ source: String, _ message: String) {
        #expect(throws: CQL2.FilterError.self) { try CQL2.parseText(source) }
        do { _ = try CQL2.parseText(source) } catch { #expect(error.message.contains(message), "\(source): \(error.message)") }
    }

    @Test("nesting is bounded")
    func depth() {
        let deep = String(repeating: "(", count: 100) + "a = 1" + String(repeating: ")", count: 100)
        do { _ = try CQL2.parseText(deep); Issue.record("accepted") } catch { #expect(error.message.contains("nests deeper than 64")) }
        let nots = String(repeating: "NOT ", count: 100) + "a = 1"
        do { _ = try CQL2.parseText(nots); Issue.record("accepted") } catch { #expect(error.message.contains("nests deeper than 64")) }
    }

    @Test("CQL2-JSON reads to the same expressions as the text")
    func json() throws {
        #expect(try CQL2.parseJSON(#"{"op":"and","args":[{"op":"=","args":[{"property":"status"},"closed"]},{"op":">=","args":[{"property":"severity"},3]}]}"#)
                == CQL2.parseText("status = 'closed' AND severity >= 3"))
        #expect(try CQL2.parseJSON(#"{"op":"not","args":[{"op":"isNull","args":[{"property":"street"}]}]}"#) == CQL2.parseText("street IS NOT NULL"))
        #expect(try CQL2.parseJSON(#"{"op":"in","args":[{"property":"severity"},[1,2]]}"#) == CQL2.parseText("severity IN (1,2)"))
        #expect(try CQL2.parseJSON(#"{"op":"between","args":[{"property":"severity"},2,3]}"#) == CQL2.parseText("severity BETWEEN 2 AND 3"))
        #expect(try CQL2.parseJSON(#"{"op":"like","args":[{"property":"type"},"g%"]}"#) == CQL2.parseText("type LIKE 'g%'"))
        #expect(try CQL2.parseJSON(#"{"op":"<","args":[{"property":"occurred_at"},{"timestamp":"2026-09-01T00:00:00Z"}]}"#) == CQL2.parseText("occurred_at < TIMESTAMP('2026-09-01T00:00:00Z')"))
        #expect(try CQL2.parseJSON(#"{"op":"s_intersects","args":[{"property":"geometry"},{"bbox":[114.4,38,114.5,38.1]}]}"#) == CQL2.parseText("S_INTERSECTS(geometry, BBOX(114.4,38,114.5,38.1))"))
        #expect(try CQL2.parseJSON("true") == .literal(true))
        #expect(try CQL2.parseJSON(#"{"op":"s_intersects","args":[{"property":"geometry"},{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,1],[0,0]]]}]}"#)
                == CQL2.parseText("S_INTERSECTS(geometry, POLYGON((0 0, 1 0, 0 1, 0 0)))"))
        #expect(try CQL2.parseJSON(#"{"op":"t_during","args":[{"property":"t"},{"interval":["2026-09-01T00:00:00Z",".."]}]}"#)
                == CQL2.parseText("T_DURING(t, INTERVAL('2026-09-01T00:00:00Z', '..'))"))
        #expect(try CQL2.parseJSON(#"{"op":"t_after","args":[{"property":"t"},{"timestamp":"2026-09-01T00:00:00Z"}]}"#) == CQL2.parseText("t > TIMESTAMP('2026-09-01T00:00:00Z')"))
        for (bad, message) in [(#"{"op":"=","args":[1]}"#, "filter: \"=\" takes 2 arguments, not 1"),
                               (#"{"op":"and","args":[{"op":"frob","args":[]},true]}"#, "filter.args[0]: unknown or unsupported op \"frob\""),
                               (#"{"op":"=","args":[{"property":"a"},{"x":1}]}"#, "filter.args[1]: expected a property"),
                               ("[1", "not JSON")] {
            do { _ = try CQL2.parseJSON(bad); Issue.record("accepted \(bad)") } catch { #expect(error.message.hasPrefix(message), "\(error.message)") }
        }
    }

    @Test("checked against the queryables: unknown properties, type mismatches and quoted times")
    func check() throws {
        let q = Queryables.events(.standard)
        #expect(try CQL2.check(CQL2.parseText("occurred_at > '2026-09-01T00:00:00Z'"), against: q) == .compare(p("occurred_at"), .gt, .timestamp(1788220800)))
        #expect(try CQL2.check(CQL2.parseText("'closed' = status"), against: q) == .compare(.string("closed"), .eq, p("status")))
        for (bad, message) in [("nosuch = 1", "'nosuch' is not a queryable of this collection"),
                               ("reporter_phone = '1'", "'reporter_phone' is not a queryable"),
                               ("severity = 'high'", "severity is a number and 'high' is a string"),
                               ("status = 3", "status is a string and 3 is a number"),
                               ("occurred_at > 'soon'", "'soon' is not an RFC 3339 time, and occurred_at is a date-time"),
                               ("severity LIKE '1%'", "LIKE needs a string, and severity is a number"),
                               ("outside > TRUE", "booleans compare only with = and <>"),
                               ("geometry = 1", "'geometry' is a geometry"),
                               ("S_INTERSECTS(status, BBOX(0,0,1,1))", "'status' is not a geometry"),
                               ("status BETWEEN 'a' AND 'b'", "BETWEEN needs numbers or times")] {
            do { _ = try CQL2.check(CQL2.parseText(bad), against: q); Issue.record("accepted \(bad)") } catch {
                #expect(error.message.contains(message), "\(bad): \(error.message)")
            }
        }
        // Boundaries have a geometry too; their other properties do not.
        #expect(try CQL2.check(CQL2.parseText("S_INTERSECTS(geometry, BBOX(0,0,1,1))"), against: Queryables.grids(.standard))
                == .intersects(property: "geometry", .bbox(BoundingBox(minX: 0, minY: 0, maxX: 1, maxY: 1))))
        do { _ = try CQL2.check(CQL2.parseText("S_INTERSECTS(name, BBOX(0,0,1,1))"), against: Queryables.grids(.standard)); Issue.record("accepted") } catch {
            #expect(error.message.contains("'name' is not a geometry"))
        }
    }

    @Test("LIKE patterns become case-sensitive GLOB patterns, GLOB's own wildcards escaped", arguments: [
        ("a%", "a*"), ("_b", "?b"), ("100\\%", "100%"), ("x*y?[z]", "x[*]y[?][[]z]"), ("\\_", "_"), ("end\\", "end\\"),
    ])
    func glob(_ pattern: String, _ expected: String) {
        #expect(CQL2.glob(pattern) == expected)
    }
}
