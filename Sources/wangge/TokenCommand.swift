public import ArgumentParser
import Foundation
import WanggeCore
public import WanggeCore
import WanggeAssignment
import WanggeUseCases
import WanggeStore

extension Role: ExpressibleByArgument {}

struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "API tokens: create (shown once; only a hash is stored), list, revoke.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a token and print it once.")
        @Option(name: .long, help: "admin, gis, reporter, dispatcher, department or viewer.") var role: Role
        @Option(name: .long, help: "Department code, for department tokens (see GeoData/departments.json).") var department: String?
        @Option(name: .long, help: "Who or what holds the token.") var name: String
        @Option(name: .long, help: "Sample folder for the department list on a new database.") var geodata = "GeoData"
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let db = try database.open()
            if try db.departments().isEmpty { try Catalogue.loadDepartmentsAndTypes(from: geodata, into: db) }
            do {
                let (token, record) = try Tokens.create(name: name, role: role, department: department, in: db)
                try db.record(.tokenCreated, by: .commandLineUser, target: "token #\(record.id)",
                              [("name", .string(record.name)), ("role", .string(record.role.rawValue)), ("department", record.department.map { .string($0) } ?? .null)])
                print(token)
                FileHandle.standardError.write(Data("token #\(record.id) for \(record.name) (\(record.role.rawValue)\(record.department.map { ", \($0)" } ?? "")); it is not stored and cannot be shown again\n".utf8))
            } catch let e as InvalidFields {
                throw ValidationError(e.description)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (prefixes only).")
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            for t in try database.open().tokens() {
                let state = t.revokedAt.map { "revoked \(Timestamp.format($0.rounded(.down)))" } ?? "active"
                print("#\(t.id)\t\(t.prefix)…\t\(t.role.rawValue)\(t.department.map { "/\($0)" } ?? "")\t\(t.name)\t\(state)")
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token by its number.")
        @Argument(help: "Token number (from `wangge token list`).") var id: Int64
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let db = try database.open()
            guard try db.revokeToken(id: id) else { throw ValidationError("no active token #\(id)") }
            try db.record(.tokenRevoked, by: .commandLineUser, target: "token #\(id)")
            print("token #\(id) revoked")
        }
    }
}
