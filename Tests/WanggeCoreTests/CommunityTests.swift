import Testing
import WanggeCore

/// A courtyard with two buildings, and a second courtyard with none: enough for vacancies and load by hand.
private let grids: [StoredGrid] = [
    grid("C1", .courtyard, parent: "M1"), grid("C1B1", .building, parent: "C1"), grid("C1B2", .building, parent: "C1"),
    grid("C2", .courtyard, parent: "M1"), grid("M1", .community, parent: nil),
]
private let levels = Dictionary(uniqueKeysWithValues: grids.map { ($0.code, $0.level!) })

private func grid(_ code: String, _ level: GridLevel, parent: String?) -> StoredGrid {
    StoredGrid(id: 0, layer: .residential, code: code, name: "grid \(code)", level: level, parent: parent, wkb: [],
               bbox: BoundingBox(minX: 0, minY: 0, maxX: 1, maxY: 1), areaM2: 1, properties: JSONObject(), importID: 1)
}

/// Ann holds all ten roles of C1 and leads it; Bob leads building C1B1 and was C2's leader until the end of June.
private func handMadeRoster() -> Roster {
    var r = Roster(people: [Person(id: "ann", name: "Ann", phone: "1"), Person(id: "bob", name: "Bob", phone: nil),
                            Person(id: "cy", name: "Cy", phone: "3")])
    r.appointments = StaffRole.tenStaff.map { Appointment(person: "ann", grid: "C1", role: $0) }
    r.appointments.append(Appointment(person: "ann", grid: "C1", role: .gridLeader, validFrom: "2026-01-01"))
    r.appointments.append(Appointment(person: "bob", grid: "C1B1", role: .groupLeader))
    r.appointments.append(Appointment(person: "bob", grid: "C2", role: .gridLeader, validFrom: "2026-01-01", validTo: "2026-06-30"))
    r.appointments.append(Appointment(person: "cy", grid: "C2", role: .medical, validFrom: "2026-07-01"))
    return r
}

@Suite("People on the grids: rosters, vacancies and load")
struct StaffTests {
    @Test("vacancies list every role nobody holds on the day, and grids without a leader")
    func vacancies() {
        let r = handMadeRoster()
        let june = r.vacancies(grids: grids, on: "2026-06-15")
        // C1 is full; C1B2 has no group leader; C2 lacks all ten (Cy starts in July) but has Bob as leader.
        #expect(june.map(\.grid) == ["C1B2", "C2"])
        #expect(june[0].missing == [.groupLeader] && june[0].noLeader)
        #expect(june[1].missing == StaffRole.tenStaff && !june[1].noLeader)
        let august = r.vacancies(grids: grids, on: "2026-08-01")
        #expect(august.first { $0.grid == "C2" }?.missing == StaffRole.tenStaff.filter { $0 != .medical } + [.gridLeader])
        #expect(august.first { $0.grid == "C2" }?.noLeader == true)
        #expect(!august.contains { $0.grid == "M1" }, "communities have no staff of their own to fill")
    }

    @Test("load counts each person's roles and grids on the day, the most loaded first")
    func load() {
        let r = handMadeRoster()
        let june = r.load(on: "2026-06-15")
        #expect(june.map(\.person.id) == ["ann", "bob", "cy"])
        #expect(june[0].appointments == 11 && june[0].roles.count == 11 && june[0].grids == ["C1"])
        #expect(june[1].appointments == 2 && june[1].grids == ["C1B1", "C2"] && june[1].roles == [.gridLeader, .groupLeader])
        #expect(june[2].appointments == 0)
        let august = r.load(on: "2026-08-01")
        #expect(august.first { $0.person.id == "bob" }?.grids == ["C1B1"])
        #expect(august.first { $0.person.id == "cy" }?.roles == [.medical])
    }

    @Test("a roster goes out as CSV and comes back the same; without phones, the stored phones are kept")
    func csvRoundTrip() throws {
        let r = handMadeRoster()
        #expect(try Roster.parse(csv: Array(r.csv(phones: true).utf8)) == r)
        let withoutPhones = Array(r.csv(phones: false).utf8)
        #expect(try Roster.parse(csv: withoutPhones, previous: r) == r)
        #expect(try Roster.parse(csv: withoutPhones).person("ann")?.phone == nil)
        var w = GeoJSONWriter()
        w.appendValue(r.json(phones: false))
        #expect(try Roster.parse(json: w.bytes, previous: r) == r)
    }

    @Test("every problem of an upload is named with where it is")
    func problems() throws {
        let json = #"{"people":[{"id":"a","name":"A"},{"id":"a","name":"A again"},{"name":"no id"}],"appointments":[{"person":"a","grid":"C1","role":"chef"},{"person":"a","grid":"C1","role":"medical","valid_from":"2026-13-01"},{"person":"zed","grid":"C9","role":"medical"},{"person":"a","grid":"C1B1","role":"medical"}]}"#
        #expect(throws: InvalidFields.self) { try Roster.parse(json: Array(json.utf8)) }
        do { _ = try Roster.parse(json: Array(json.utf8)) } catch let e as InvalidFields {
            let fields = e.errors.map(\.field)
            #expect(fields.contains("people[2].id"))
            #expect(fields.contains("appointments[0].role"))
            #expect(fields.contains("appointments[1].valid_from"))
        }
        let wellFormed = #"{"people":[{"id":"a","name":"A"},{"id":"a","name":"A again"}],"appointments":[{"person":"zed","grid":"C9","role":"medical"},{"person":"a","grid":"C1B1","role":"medical"},{"person":"a","grid":"C1","role":"medical"},{"person":"a","grid":"C1","role":"medical","valid_from":"2026-01-01"}]}"#
        let problems = try Roster.parse(json: Array(wellFormed.utf8)).problems(levels: levels)
        let byField = Dictionary(grouping: problems, by: \.field)
        #expect(byField["people[1].id"] != nil, "a duplicate id")
        #expect(byField["appointments[0].person"] != nil && byField["appointments[0].grid"] != nil, "unknown person and grid")
        #expect(byField["appointments[1].role"]?.first?.reason.contains("courtyard") == true, "medical belongs on a courtyard")
        #expect(byField["appointments[3]"]?.first?.reason.contains("already has a medical") == true, "two medical officers at once")
        let csv = "person,name,grid,role\na,A,C1,medical\na,Another name,C1,information\n,B,C1,information\n"
        do { _ = try Roster.parse(csv: Array(csv.utf8)) } catch let e as InvalidFields {
            #expect(Set(e.errors.map(\.field)) == ["line 3", "line 4, column person"], "\(e.errors)")
        }
    }
}

@Suite("Party organisation and joint building documents")
struct PartyAndJointBuildingTests {
    @Test("units must sit on the level their kind belongs to; counts are whole and not negative")
    func party() throws {
        let ok = #"{"units":[{"grid":"C1","kind":"branch","name":"C1 branch"},{"grid":"C1B1","kind":"group","name":"g"}],"members":[{"grid":"C1B1","direct":3,"retired":"2"},{"grid":"C2","floating":1}]}"#
        let p = try PartyOrganisation.parse(Array(ok.utf8), levels: levels)
        #expect(p.total(.direct) == 3 && p.total(.retired) == 2 && p.total(.floating) == 1 && p.total(.inService) == 0)
        let bad = #"{"units":[{"grid":"C1","kind":"group","name":"x"},{"grid":"C9","kind":"branch","name":"y"}],"members":[{"grid":"C1","direct":-1},{"grid":"C1","retired":1.5}]}"#
        do { _ = try PartyOrganisation.parse(Array(bad.utf8), levels: levels) } catch let e as InvalidFields {
            #expect(Set(e.errors.map(\.field)) == ["units[0].kind", "units[1].grid", "members[0].direct", "members[1].grid", "members[1].retired"], "\(e.errors)")
        }
    }

    @Test("an activity's scale fits how many grids ran it, its grids and units exist")
    func activities() throws {
        func read(_ o: String) -> (JointBuilding.Activity?, [String]) {
            var r = RecordReader(try! JSONValue.parse(Array(o.utf8)).objectValue!, location: "body")
            let a = JointBuilding.readActivity(&r, levels: levels, organisations: ["U1"])
            return (a, r.problems.map(\.field))
        }
        #expect(read(#"{"date":"2026-08-01","title":"t","type":"sanitation","scale":"small","participants":12,"grids":["C1"],"organisations":["U1"]}"#).0 != nil)
        #expect(read(#"{"date":"2026-08-01","title":"t","type":"sanitation","scale":"small","participants":12,"grids":["C1","C2"]}"#).1 == ["body.scale"])
        #expect(read(#"{"date":"2026-08-01","title":"t","type":"sanitation","scale":"medium","participants":12,"grids":"C1 C2"}"#).0?.grids == ["C1", "C2"])
        #expect(read(#"{"date":"2026-08-01","title":"t","type":"sanitation","scale":"large","participants":12,"grids":["C1"]}"#).1 == ["body.scale"])
        #expect(Set(read(#"{"date":"01/08/2026","title":"t","type":"fun","scale":"small","participants":-1,"grids":["C7"],"organisations":["U9"]}"#).1)
                == ["body.date", "body.type", "body.participants", "body.grids", "body.organisations"])
    }

    @Test("calendar days are checked, and a day in Beijing starts at 16:00 UTC the day before")
    func days() {
        #expect(CalendarDay.isValid("2028-02-29") && !CalendarDay.isValid("2026-02-29") && !CalendarDay.isValid("2026-1-01"))
        #expect(CalendarDay.day(Timestamp.parse("2026-07-31T16:30:00Z")!) == "2026-08-01")
        #expect(CalendarDay.start("2026-08-01") == Timestamp.parse("2026-07-31T16:00:00Z"))
    }
}
