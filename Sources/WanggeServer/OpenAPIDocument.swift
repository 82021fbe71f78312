import HTTPTypes
import Foundation
import WanggeCore

/// The OpenAPI 3.0 document, made from the same route list the router is built from.
enum OpenAPIDocument {
    /// `levels`: the residential layer's, which name the events' and grids' level properties.
    static func make(routes: [APIRoute], levels: LevelScheme) -> JSONValue {
        var paths = JSONObject()
        for route in routes {
            var item = paths[route.path]?.objectValue ?? JSONObject()
            var op = JSONObject([("summary", .string(route.summary)), ("tags", .array([.string(route.tag)])),
                                 ("operationId", .string(operationID(route)))])
            if let roles = route.roles {
                op["security"] = .array([.object(JSONObject([("bearer", .array([]))])), .object(JSONObject([("basic", .array([]))]))])
                op["description"] = .string("Roles: \(roles.map(\.rawValue).sorted().joined(separator: ", ")).")
            } else {
                op["security"] = .array([])
                op["description"] = .string("Public: no token needed.")
            }
            if !route.parameters.isEmpty {
                op["parameters"] = .array(route.parameters.map(parameter))
            }
            if let body = route.body {
                var content = JSONObject()
                for t in body.contentTypes {
                    let schema = t.hasPrefix("text/") ? JSONValue.object(JSONObject([("type", .string("string"))])) : ref(body.schema)
                    content[t] = .object(JSONObject([("schema", schema)]))
                }
                op["requestBody"] = .object(JSONObject([("required", .bool(true)),
                                                        ("description", .string(body.description + " (at most \(body.maxBytes) bytes; larger is a 413)")),
                                                        ("content", .object(content)), ("x-max-bytes", .number(JSONNumber(body.maxBytes)))]))
            }
            var responses = JSONObject()
            for a in route.allAnswers {
                var r = JSONObject([("description", .string(a.description))])
                if let schema = a.schema {
                    r["content"] = .object(JSONObject([(a.contentType, .object(JSONObject([("schema", ref(schema))])))]))
                } else if !a.contentType.contains("json") {
                    r["content"] = .object(JSONObject([(a.contentType, .object(JSONObject([("schema", .object(JSONObject([("type", .string("string"))])))])))]))
                } else if a.status < 300 {
                    r["content"] = .object(JSONObject([(a.contentType, .object(JSONObject([("schema", .object(JSONObject([("type", .string("object"))])))])))]))
                }
                if !a.alternatives.isEmpty, case .object(var content)? = r["content"] {
                    for (type, schema) in a.alternatives {
                        content[type] = .object(JSONObject([("schema", schema.map(ref) ?? .object(JSONObject([("type", .string("string"))])))]))
                    }
                    r["content"] = .object(content)
                }
                if !a.headers.isEmpty {
                    var h = JSONObject()
                    for (k, v) in a.headers.sorted(by: { $0.key < $1.key }) {
                        h[k] = .object(JSONObject([("description", .string(v)), ("schema", .object(JSONObject([("type", .string("string"))])))]))
                    }
                    r["headers"] = .object(h)
                }
                responses[String(a.status)] = .object(r)
            }
            op["responses"] = .object(responses)
            item[route.method.rawValue.lowercased()] = .object(op)
            paths[route.path] = .object(item)
        }
        return .object(JSONObject([
            ("openapi", .string("3.0.3")),
            ("info", .object(JSONObject([
                ("title", .string("Wangge (网格) grid management service")),
                ("version", .string("0.4.0")),
                ("description", .string("Grid boundaries, point assignment and event intake for grid-based community management. Errors are {\"error\": {\"code\", \"message\", \"details\": [{\"field\", \"reason\"}]}}.")),
            ]))),
            ("paths", .object(paths)),
            ("components", .object(JSONObject([
                ("securitySchemes", .object(JSONObject([
                    ("bearer", .object(JSONObject([("type", .string("http")), ("scheme", .string("bearer")), ("description", .string("A token from `wangge token create`"))]))),
                    ("basic", .object(JSONObject([("type", .string("http")), ("scheme", .string("basic")),
                                                  ("description", .string("The same token as the password, any user name (for clients such as QGIS that only send Basic credentials)"))]))),
                ]))),
                ("schemas", .object(schemas(levels))),
            ]))),
        ]))
    }

    static func operationID(_ r: APIRoute) -> String {
        let words = r.path.split(separator: "/").map { $0.hasPrefix("{") ? "By" + $0.dropFirst().dropLast().capitalized : $0.capitalized }
        return r.method.rawValue.lowercased() + words.joined()
    }

    static func ref(_ name: String) -> JSONValue { .object(JSONObject([("$ref", .string("#/components/schemas/\(name)"))])) }

    static func parameter(_ p: APIRoute.Parameter) -> JSONValue {
        var schema = JSONObject([("type", .string(p.type))])
        if let e = p.enumValues { schema["enum"] = .array(e.map { .string($0) }) }
        if let m = p.minimum { schema["minimum"] = .number(JSONNumber(m)) }
        if let m = p.maximum { schema["maximum"] = .number(JSONNumber(m)) }
        if let f = p.format { schema["format"] = .string(f) }
        if let r = p.pattern { schema["pattern"] = .string(r) }
        return .object(JSONObject([("name", .string(p.name)), ("in", .string(p.location.rawValue)),
                                   ("required", .bool(p.required || p.location == .path)),
                                   ("description", .string(p.description)), ("schema", .object(schema))]))
    }

    // MARK: schemas

    static func object(_ properties: [(String, JSONValue)], required: [String] = [], additional: Bool = false) -> JSONValue {
        var o = JSONObject([("type", .string("object")), ("properties", .object(JSONObject(properties)))])
        if !required.isEmpty { o["required"] = .array(required.map { .string($0) }) }
        if !additional { o["additionalProperties"] = .bool(false) }
        return .object(o)
    }

    static func type(_ t: String, _ description: String? = nil, nullable: Bool = false, extra: [(String, JSONValue)] = []) -> JSONValue {
        var o = JSONObject([("type", .string(t))])
        if let description { o["description"] = .string(description) }
        if nullable { o["nullable"] = .bool(true) }
        for (k, v) in extra { o[k] = v }
        return .object(o)
    }

    static func array(_ items: JSONValue) -> JSONValue { .object(JSONObject([("type", .string("array")), ("items", items)])) }

    static func enumeration(_ values: [String], _ description: String? = nil) -> JSONValue {
        type("string", description, extra: [("enum", .array(values.map { .string($0) }))])
    }

    static func schemas(_ levels: LevelScheme) -> JSONObject {
        let match = enumeration(MatchKind.allCases.map(\.rawValue), "inside; boundary (on an edge: smallest code wins, others in touching); nearest (within snap); outside")
        let codes = array(type("string"))
        let overlay = object([("match", match), ("grids", codes), ("touching", codes), ("distance_m", type("number"))], required: ["match", "grids", "touching"])
        let fieldError = object([("field", type("string")), ("reason", type("string"))], required: ["field", "reason"])
        let errorBody = object([("code", type("string")), ("message", type("string")), ("details", array(fieldError))], required: ["code", "message", "details"], additional: true)
        let severity = type("integer", "1 (minor) to 4 (most urgent)", extra: [("minimum", .number(JSONNumber(1))), ("maximum", .number(JSONNumber(4)))])
        let channel = enumeration(EventChannel.allCases.map(\.rawValue))
        let time = type("string", "RFC 3339", extra: [("format", .string("date-time"))])
        let text = type("string", nullable: true)
        let version = object([("id", type("integer")), ("layer", enumeration(GridLayer.allCases.map(\.rawValue))),
                              ("status", enumeration(VersionStatus.allCases.map(\.rawValue))), ("source", type("string")), ("crs", type("string")),
                              ("grids", type("integer")), ("imported_at", time),
                              ("valid_from", type("string", "RFC 3339; null while staged", nullable: true, extra: [("format", .string("date-time"))])),
                              ("valid_to", type("string", "RFC 3339; null unless retired", nullable: true, extra: [("format", .string("date-time"))])),
                              ("grids_kept", type("boolean")),
                              ("levels", array(type("string", "A residential level's name, top first (residential versions only)")))],
                             required: ["id", "layer", "status", "source", "grids", "imported_at", "valid_from", "valid_to"])
        let possibleDuplicate = object([("id", type("integer")), ("distance_m", type("number")),
                                        ("status", enumeration(EventStatus.allCases.map(\.rawValue))), ("reported_at", time)],
                                       required: ["id", "distance_m", "status", "reported_at"])
        let open311Request = object([
            ("service_request_id", type("string")), ("status", enumeration(["open", "closed"])), ("status_notes", text),
            ("service_name", type("string")), ("service_code", type("string")), ("description", type("string")),
            ("agency_responsible", text), ("service_notice", text), ("requested_datetime", time), ("updated_datetime", time),
            ("expected_datetime", type("string", nullable: true, extra: [("format", .string("date-time"))])),
            ("address", text), ("address_id", text), ("zipcode", text), ("lat", type("number")), ("long", type("number")),
            ("media_url", text), ("extended_attributes", type("object")),
        ], required: ["service_request_id", "status", "service_code", "requested_datetime", "lat", "long"])
        let open311Value = object([("key", type("string")), ("name", type("string"))], required: ["key", "name"])
        let open311Attribute = object([
            ("variable", type("boolean")), ("code", type("string")), ("datatype", type("string")), ("required", type("boolean")),
            ("datatype_description", text), ("order", type("integer")), ("description", type("string")), ("values", array(open311Value)),
        ], required: ["variable", "code", "datatype", "required", "order", "description"])
        let open311Schemas: [(String, JSONValue)] = [
            ("Open311Errors", array(object([("code", type("integer")), ("description", type("string"))], required: ["code", "description"]))),
            ("Open311Discovery", object([("changeset", type("string")), ("contact", type("string")), ("key_service", type("string")),
                                         ("endpoints", array(object([("specification", type("string")), ("url", type("string")),
                                                                     ("changeset", type("string")), ("type", type("string")),
                                                                     ("formats", array(type("string")))])))])),
            ("Open311Services", array(object([("service_code", type("string")), ("service_name", type("string")),
                                               ("description", type("string")), ("metadata", type("boolean")), ("type", type("string")),
                                               ("keywords", type("string")), ("group", type("string"))], required: ["service_code", "service_name"]))),
            ("Open311ServiceDefinition", object([("service_code", type("string")), ("attributes", array(open311Attribute))],
                                                required: ["service_code", "attributes"])),
            ("Open311Request", object([("api_key", type("string")), ("service_code", type("string")), ("lat", type("number")),
                                       ("long", type("number")), ("description", type("string")), ("first_name", type("string")),
                                       ("last_name", type("string")), ("phone", type("string")), ("email", type("string")),
                                       ("media_url", type("string")), ("jurisdiction_id", type("string"))],
                                      required: ["service_code", "lat", "long", "description"], additional: true)),
            ("Open311PostAnswer", array(object([("service_request_id", type("string")), ("service_notice", text), ("account_id", text)],
                                               required: ["service_request_id"]))),
            ("Open311Requests", array(open311Request)),
        ]
        return JSONObject(open311Schemas + [
            ("Error", object([("error", errorBody)], required: ["error"])),
            ("Health", object([("status", type("string")), ("grids", type("integer")), ("index_generation", type("integer")),
                               ("workers", type("integer")), ("geos", type("string")), ("uptime_s", type("number"))], required: ["status"])),
            ("Caller", object([("name", type("string")), ("role", enumeration(Role.allCases.map(\.rawValue))),
                               ("department", type("string", nullable: true)),
                               ("may_report", type("boolean", "The token may submit events (reporter, dispatcher, admin)"))],
                              required: ["name", "role", "department", "may_report"])),
            ("PointAssignment", object([
                ("lon", type("number")), ("lat", type("number")),
                ("residential", object([("match", match), ("street", type("string", nullable: true)), ("community", type("string", nullable: true)),
                                        ("courtyard", type("string", nullable: true)), ("building", type("string", nullable: true)),
                                        ("touching", codes), ("distance_m", type("number"))], required: ["match", "touching"])),
                ("functional", overlay), ("industry", overlay),
                ("versions", type("object", "With date: the version id of each layer that answered", extra: [("additionalProperties", type("integer"))])),
            ], required: ["lon", "lat", "residential", "functional", "industry"])),
            ("EventSubmission", object([
                ("type", type("string", "An event type code (see GeoData/event_types.json)", extra: [("minLength", .number(JSONNumber(1)))])), ("severity", severity),
                ("lon", type("number")), ("lat", type("number")),
                ("crs", type("string", "EPSG:nnnn, GCJ02 or BD09; default EPSG:4326")),
                ("description", type("string", extra: [("minLength", .number(JSONNumber(1))), ("maxLength", .number(JSONNumber(EventSubmission.maxDescription)))])),
                ("reporter_name", type("string", "Optional: who reported it (the token always records who submitted it)", nullable: true, extra: [("maxLength", .number(JSONNumber(EventSubmission.maxName)))])),
                ("reporter_phone", type("string", "Optional. Digits, spaces, + - and parentheses; at least 3 digits", nullable: true,
                                        extra: [("pattern", .string("^[0-9+() -]*[0-9][0-9+() -]*[0-9][0-9+() -]*[0-9][0-9+() -]*$")), ("maxLength", .number(JSONNumber(EventSubmission.maxPhone)))])),
                ("reporter_email", type("string", "Optional: an email address", nullable: true, extra: [("maxLength", .number(JSONNumber(EventSubmission.maxEmail)))])),
                ("media_url", type("string", "Optional: an http(s) URL of a picture", nullable: true, extra: [("maxLength", .number(JSONNumber(EventSubmission.maxURL)))])),
                ("component", type("string", "Optional: the identifier of the component (部件) it concerns; the dispatch then defaults to its maintaining department", nullable: true)),
                ("channel", channel), ("occurred_at", time),
            ], required: ["type", "severity", "lon", "lat", "description", "channel"])),
            ("Event", object([
                ("id", type("integer")), ("status", enumeration(EventStatus.allCases.map(\.rawValue))), ("type", type("string")),
                ("severity", severity), ("lon", type("number")), ("lat", type("number")),
                ("input", object([("crs", type("string")), ("x", type("number")), ("y", type("number"))])),
                ("description", type("string")), ("channel", channel),
                ("reporter", object([("name", type("string", nullable: true)), ("phone", type("string", nullable: true)),
                                     ("email", type("string", nullable: true))], additional: false).nullable),
                ("media_url", type("string", nullable: true)),
                ("occurred_at", time), ("reported_at", time),
                ("grids", object([("match", match), ("street", type("string", nullable: true)), ("community", type("string", nullable: true)),
                                  ("courtyard", type("string", nullable: true)), ("building", type("string", nullable: true)),
                                  ("touching", codes), ("functional", codes), ("industry", codes)])),
                ("outside", type("boolean", "Outside every residential grid: kept and flagged for the information centre")),
                ("department", type("string", nullable: true)), ("version", type("integer")),
                ("possible_duplicates", array(possibleDuplicate)),
            ], required: ["id", "status", "type", "severity", "lon", "lat", "grids", "outside", "version"], additional: true)),
            ("ActionRequest", object([
                ("action", enumeration(EventAction.allCases.map(\.rawValue))),
                ("version", type("integer", "The version you last saw: the action is refused (409) if the event changed since", extra: [("minimum", .number(JSONNumber(1)))])),
                ("reason", type("string", "reject, return, rework, request_suspension, request_extension, refuse_request, override_rating, park")),
                ("note", type("string", "Free text; required for supervise")),
                ("department", type("string", "dispatch: the department code (default: the routing rules)")),
                ("feedback", type("string", "resolve: what was done")),
                ("photo_url", type("string", "resolve: an http(s) link to a photo")),
                ("hours", type("number", "request_extension: how many hours more (0–720)")),
                ("satisfaction", enumeration(Satisfaction.allCases.map(\.rawValue), "evaluate: the resident's satisfaction")),
                ("rating", enumeration(Rating.allCases.map(\.rawValue), "override_rating: the rating to record")),
                ("into", type("integer", "merge: the id of the event this one duplicates", extra: [("minimum", .number(JSONNumber(1)))])),
                ("review_at", type("string", "park: when to look at the case again (RFC 3339 or a date; after now, within a year)")),
                ("stage", type("string", "complete_stage: the stage of a staged disposal that is done (停工, 处罚, …; the last is done with resolve)")),
                ("component_state", type("string", "resolve: the state the component (部件) the event names is left in; updates the inventory with the resolution", extra: [("enum", .array(Component.State.allCases.map { .string($0.rawValue) }))])),
                ("result", enumeration(SupervisorResult.allCases.map(\.rawValue), "verify: confirmed or unfounded (核实); check: passed or failed (核查); a note is required for unfounded and failed")),
            ], required: ["action"])),
            ("PossibleDuplicates", object([("radius_m", type("number")), ("days", type("number")),
                                           ("possible_duplicates", array(possibleDuplicate))], required: ["possible_duplicates"])),
            ("EventWithWorkflow", type("object", "An Event with `workflow` (deadline, timestamps, counters, pending request, satisfaction, rating and its inputs) and `allowed_actions`", extra: [
                ("allOf", .array([ref("Event"), object([("workflow", type("object")), ("allowed_actions", array(enumeration(EventAction.allCases.map(\.rawValue)))),
                                                          ("contacts", type("object", "The courtyard's grid leader and the staff member answering for the type (null outside every courtyard)", nullable: true)),
                                                          ("assigned_with", type("object", "The boundary version of each layer the event was assigned with (null for events stored before versions were kept)", nullable: true))],
                                                         additional: true)])),
            ])),
            ("History", object([("event_id", type("integer")), ("history", array(object([
                ("at", time), ("actor", type("string")), ("role", type("string")), ("action", type("string")),
                ("from", type("string", nullable: true)), ("to", type("string")), ("note", type("string")),
            ])))])),
            ("Warnings", object([("generated_at", time), ("yellow", type("integer")), ("red", type("integer")),
                                 ("by_department", type("object")), ("by_grid", type("object")), ("by_grid_leader", type("object")),
                                 ("warnings", array(type("object")))])),
            ("GridReport", object([("report", type("string")), ("scope", type("string")), ("period", type("object")), ("as_of", time),
                                   ("definitions", type("object")), ("total", type("object")), ("unassigned", type("object")),
                                   ("blind_spots", array(type("string"))), ("grids", array(type("object"))),
                                   ("boundaries", type("object", "With date or assignment=reassigned: the version reported on and how events were counted"))])),
            ("BoundaryReport", object([("report", type("string")), ("street_area_km2", type("number")), ("tolerance_m", type("number")),
                                       ("sliver_m2", type("number")), ("definitions", type("object")), ("layers", array(type("object"))),
                                       ("defect_counts", type("object")), ("defects", array(type("object")))])),
            ("HotSpotReport", object([("report", type("string")), ("level", type("string")), ("period", type("object")),
                                      ("previous_period", type("object")), ("options", type("object")), ("definitions", type("object")),
                                      ("clusters", array(type("object"))), ("repeats", array(type("object"))), ("rising", array(type("object")))])),
            ("ServiceReport", object([("report", type("string")), ("level", type("string")), ("radius_m", type("number")),
                                      ("definitions", type("object")), ("kinds", array(type("object"))), ("grids", array(type("object")))])),
            ("DepartmentReport", object([("report", type("string")), ("period", type("object")), ("as_of", type("string")),
                                         ("definitions", type("object")), ("total", type("object")), ("undispatched", type("object")),
                                         ("departments", array(type("object")))])),
            ("Link", object([("href", type("string")), ("rel", type("string")), ("type", type("string")), ("title", type("string"))],
                            required: ["href", "rel"], additional: true)),
            ("LandingPage", object([("title", type("string")), ("description", type("string")), ("links", array(ref("Link")))],
                                   required: ["links"], additional: true)),
            ("Conformance", object([("conformsTo", array(type("string")))], required: ["conformsTo"])),
            ("Queryables", object([("$schema", type("string")), ("$id", type("string")), ("type", type("string")), ("title", type("string")),
                                   ("properties", type("object"))], required: ["type", "properties"], additional: true)),
            // The properties the collections' features carry, with one type each (also in /collections/{id}/queryables).
            ("EventProperties", .object(Queryables.propertiesSchema(Queryables.events(levels), title: "An event feature's properties"))),
            ("GridProperties", .object(Queryables.propertiesSchema(Queryables.grids(levels), title: "A boundary feature's properties (plus those of its import)"))),
            ("Collection", object([("id", type("string")), ("title", type("string")), ("itemType", type("string")),
                                   ("crs", array(type("string"))), ("extent", type("object")), ("links", array(ref("Link")))],
                                  required: ["id", "links"], additional: true)),
            ("Collections", object([("links", array(ref("Link"))), ("collections", array(ref("Collection")))], required: ["links", "collections"])),
            ("FeatureCollectionPage", object([("type", enumeration(["FeatureCollection"])), ("features", array(ref("Feature"))),
                                              ("numberMatched", type("integer")), ("numberReturned", type("integer")),
                                              ("timeStamp", time), ("links", array(ref("Link")))],
                                             required: ["type", "features", "numberReturned", "links"], additional: true)),
            ("EventPage", object([("events", array(ref("Event"))), ("count", type("integer")), ("next_cursor", type("string", nullable: true))],
                                 required: ["events", "count", "next_cursor"])),
            ("Feature", object([("type", enumeration(["Feature"])), ("id", type("string")), ("geometry", type("object")), ("properties", type("object"))],
                               required: ["type", "geometry", "properties"], additional: true)),
            ("FeatureCollection", object([("type", enumeration(["FeatureCollection"])), ("features", array(ref("Feature")))],
                                         required: ["type", "features"], additional: true)),
            ("BoundaryUpload", object([("type", enumeration(["FeatureCollection"])),
                                       ("features", type("array", "Polygon/MultiPolygon features with code, name (and level, parent on the residential layer)",
                                                         extra: [("items", ref("Feature")), ("minItems", .number(JSONNumber(1)))]))],
                                      required: ["type", "features"], additional: true)),
            ("BoundaryImport", object([("layer", type("string")), ("import_id", type("integer")), ("grids", type("integer")),
                                       ("levels", type("object")), ("crs", type("string")), ("area_km2", type("number")),
                                       ("status", enumeration(VersionStatus.allCases.map(\.rawValue), "staged: stored, not in use until POST /versions/{id}/activate")),
                                       ("version", ref("Version")),
                                       ("index_generation", type("integer")), ("organisations_moved", array(type("object"))),
                                       ("repairs", array(object([("feature_index", type("integer")), ("code", type("string")), ("reason", type("string")),
                                                                 ("area_before_m2", type("number")), ("area_after_m2", type("number")),
                                                                 ("area_change_percent", type("number")),
                                                                 ("parts_before", type("integer")), ("parts_after", type("integer"))])))])),
            ("Version", version),
            ("Versions", object([("versions", array(ref("Version")))], required: ["versions"])),
            ("VersionDiff", object([
                ("version", ref("Version")), ("active", type("object", "The version in use now", nullable: true)),
                ("grids", object([("added", type("integer")), ("removed", type("integer")), ("changed", type("integer")), ("unchanged", type("integer")),
                                  ("list", array(object([("code", type("string")), ("name", type("string")), ("change", enumeration(["added", "removed", "changed"])),
                                                         ("area_before_m2", type("number", nullable: true)), ("area_after_m2", type("number", nullable: true)),
                                                         ("area_change_percent", type("number")), ("fields", array(type("string")))],
                                                        required: ["code", "name", "change"])))])),
                ("events", object([("checked", type("integer")), ("would_move", type("integer"))])),
                ("organisations", object([("checked", type("integer")), ("would_move", type("integer"))])),
                ("moves", array(object([("from", type("string", nullable: true)), ("to", type("string", nullable: true)),
                                        ("events", type("integer")), ("organisations", type("integer"))]))),
            ], required: ["version", "grids", "events", "organisations", "moves"])),
            ("VersionActivation", object([("version", ref("Version")), ("index_generation", type("integer")),
                                          ("organisations_moved", array(type("object")))], required: ["version"])),
            ("BoundaryDefects", object([("error", object([("code", type("string")), ("message", type("string")), ("details", array(fieldError)),
                                                          ("defects", array(object([("kind", type("string")), ("message", type("string")),
                                                                                    ("feature_index", type("integer", nullable: true)), ("code", type("string", nullable: true)),
                                                                                    ("line", type("integer", nullable: true)), ("column", type("integer", nullable: true)),
                                                                                    ("offset", type("integer", nullable: true)),
                                                                                    ("area_m2", type("number", nullable: true)), ("location", type("object"))])))]))])),
            ("Upload", type("object", "The document to store")),
            ("Audit", object([("entries", array(object([("id", type("integer")), ("at", time), ("actor", type("string")), ("role", type("string")),
                                                         ("token", type("integer", nullable: true)),
                                                         ("action", enumeration(AuditEntry.Action.allCases.map(\.rawValue))),
                                                         ("target", type("string")), ("detail", type("object"))])))], required: ["entries"])),
            ("Stored", object([("stored", type("boolean"))], required: ["stored"], additional: true)),
            ("Roster", object([("people", array(object([("id", type("string")), ("name", type("string")), ("phone", text)], required: ["id", "name"]))),
                               ("appointments", array(ref("Appointment")))], required: ["people", "appointments"])),
            ("Appointment", object([("person", type("string")), ("grid", type("string")),
                                    ("role", enumeration(StaffRole.allCases.map(\.rawValue))),
                                    ("valid_from", type("string", nullable: true)), ("valid_to", type("string", nullable: true))],
                                   required: ["person", "grid", "role"])),
            ("GridStaff", object([("grid", type("string")), ("name", type("string")), ("level", type("string", nullable: true)), ("date", type("string")),
                                  ("staff", array(type("object"))), ("vacancies", array(type("object")))], required: ["grid", "staff", "vacancies"])),
            ("Vacancies", object([("date", type("string")), ("grids", type("integer")), ("without_leader", type("integer")),
                                  ("vacancies", array(type("object")))], required: ["vacancies"])),
            ("StaffLoad", object([("date", type("string")), ("people", array(type("object")))], required: ["people"])),
            ("Responsibilities", object([], additional: true)),
            ("OrganisationMoves", object([("moves", array(type("object")))], required: ["moves"])),
            ("Party", object([("units", array(type("object"))), ("members", array(type("object")))], required: ["units", "members"])),
            ("PartyReport", object([("report", type("string")), ("level", type("string")), ("unit_kind", type("string")), ("definitions", type("object")),
                                    ("totals", type("object")), ("grids", array(type("object"))), ("without_unit", array(type("object"))),
                                    ("tree", array(type("object")))], required: ["grids", "totals"])),
            ("JointBuilding", object([("themes", array(type("object"))), ("links", array(type("object"))), ("activities", array(ref("Activity")))],
                                     required: ["themes", "links", "activities"])),
            ("Activity", object([("id", type("integer", nullable: true)), ("date", type("string")), ("title", type("string")),
                                 ("type", enumeration(JointBuilding.LinkType.allCases.map(\.rawValue))),
                                 ("scale", enumeration(JointBuilding.Scale.allCases.map(\.rawValue))), ("participants", type("integer")),
                                 ("grids", codes), ("organisations", codes)], required: ["date", "title", "type", "scale", "participants", "grids"])),
            ("JointBuildingReport", object([("report", type("string")), ("level", type("string")), ("from", type("string")), ("to", type("string")),
                                            ("definitions", type("object")), ("link_types", array(type("object"))), ("grids", array(type("object")))],
                                           required: ["grids"])),
        ])
    }
}

extension JSONValue {
    /// The schema with `nullable: true`.
    var nullable: JSONValue {
        guard case .object(var o) = self else { return self }
        o["nullable"] = .bool(true)
        return .object(o)
    }
}
