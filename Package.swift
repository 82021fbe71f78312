// swift-tools-version:6.1
import PackageDescription

/// Every target: imports are internal unless a file says `public import`, members are visible only from modules a
/// file imports, and existentials are spelled `any P`.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("ExistentialAny"),
]

/// CI's ThreadSanitizer run (`.ci/run`) needs only the engine and what its tests import: with WANGGE_ENGINE_ONLY=1
/// the service, the executables, the server tests and their HTTP dependencies are left out, so that the second
/// sanitized build of everything (10 minutes of CI on 2 cores) is the engine's build alone.
let engineOnly = Context.environment["WANGGE_ENGINE_ONLY"] == "1"
let serviceOnly: Set<String> = ["WanggeRendering", "WanggeServer", "wangge", "wangge-bench", "WanggeServerTests"]

let package = Package(
    name: "Wangge",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "wangge", targets: ["wangge"]),
        .executable(name: "wangge-bench", targets: ["wangge-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ] + (engineOnly ? [] : [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ]),
    targets: [
        // Debian's libgeos-dev (3.11) and libproj-dev (9.1) through module maps and shim headers.
        .systemLibrary(name: "CGEOS", pkgConfig: "geos", providers: [.apt(["libgeos-dev"])]),
        .systemLibrary(name: "CPROJ", pkgConfig: "proj", providers: [.apt(["libproj-dev"])]),
        // glibc's <malloc.h> (mallopt), for the service's memory settings.
        .systemLibrary(name: "CMalloc"),

        // Pure Swift: domain values, GeoJSON and CSV codecs, CRS formulas, the workflow, report arithmetic, the
        // repository protocols. No C libraries, no I/O.
        .target(name: "WanggeCore", swiftSettings: strict),
        // The only code that touches GEOS and PROJ pointers: owners, validation, the grid index, projections.
        .target(name: "WanggeGeo", dependencies: ["WanggeCore", "CGEOS", "CPROJ"], swiftSettings: strict),
        // SQLite through GRDB, behind the repository protocols: receives WKB and bounding boxes, never GEOS objects.
        .target(name: "WanggeStore", dependencies: [
            "WanggeCore",
            .product(name: "GRDB", package: "GRDB.swift"),
            // Exports read column bytes straight from the statement (no String per field).
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
        ], swiftSettings: strict),
        // Points to grids for a whole process: worker threads with index replicas, and batch files.
        .target(name: "WanggeAssignment", dependencies: ["WanggeCore", "WanggeGeo"], swiftSettings: strict),
        // What users do, over the repository protocols: import with index reload, intake, the closed loop, reports,
        // exports, tokens, the catalogue; and the background work that keeps it running.
        .target(name: "WanggeUseCases", dependencies: [
            "WanggeCore", "WanggeGeo", "WanggeAssignment", "CMalloc",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], swiftSettings: strict),
        // Pages and pictures: the report SVG, the summary page (Mustache templates), the map page (a resource).
        .target(name: "WanggeRendering", dependencies: [
            "WanggeCore", "WanggeGeo",
            .product(name: "Mustache", package: "swift-mustache"),
        ], resources: [.copy("Resources")], swiftSettings: strict),
        // The Xiyuan sample: generator, writer, the replayed quarter of events. For the CLI, tests and benchmarks only.
        .target(name: "WanggeSample", dependencies: ["WanggeCore", "WanggeGeo", "WanggeAssignment", "WanggeUseCases"],
                swiftSettings: strict),
        // The HTTP service: Hummingbird 2, the composition root, controllers per resource, roles, errors as JSON.
        .target(name: "WanggeServer", dependencies: [
            "WanggeCore", "WanggeGeo", "WanggeAssignment", "WanggeUseCases", "WanggeRendering",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], swiftSettings: strict),
        .executableTarget(name: "wangge", dependencies: [
            "WanggeCore", "WanggeGeo", "WanggeStore", "WanggeAssignment", "WanggeUseCases", "WanggeRendering",
            "WanggeSample", "WanggeServer", "CMalloc",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),
        .executableTarget(name: "wangge-bench", dependencies: [
            "WanggeCore", "WanggeGeo", "WanggeStore", "WanggeAssignment", "WanggeUseCases", "WanggeSample",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: strict),

        // Fixture paths and small boundary-file builders shared by the test targets.
        .target(name: "WanggeTestSupport", dependencies: ["WanggeCore"], path: "Tests/WanggeTestSupport", swiftSettings: strict),
        .testTarget(name: "WanggeCoreTests", dependencies: ["WanggeCore", "WanggeTestSupport"], swiftSettings: strict),
        .testTarget(name: "WanggeGeoTests", dependencies: ["WanggeCore", "WanggeGeo", "WanggeTestSupport"], swiftSettings: strict),
        .testTarget(name: "WanggeStoreTests", dependencies: [
            "WanggeCore", "WanggeStore", "WanggeTestSupport",
            .product(name: "GRDB", package: "GRDB.swift"),
        ], swiftSettings: strict),
        .testTarget(name: "WanggeAssignmentTests", dependencies: [
            "WanggeCore", "WanggeGeo", "WanggeStore", "WanggeAssignment", "WanggeUseCases", "WanggeSample", "WanggeTestSupport",
        ], swiftSettings: strict),
        .testTarget(name: "WanggeUseCasesTests", dependencies: [
            "WanggeCore", "WanggeGeo", "WanggeStore", "WanggeAssignment", "WanggeUseCases", "WanggeSample", "WanggeTestSupport",
        ], swiftSettings: strict),
        .testTarget(name: "WanggeSampleTests", dependencies: [
            "WanggeCore", "WanggeGeo", "WanggeStore", "WanggeAssignment", "WanggeUseCases", "WanggeSample", "WanggeTestSupport",
        ], swiftSettings: strict),
        .testTarget(name: "WanggeServerTests", dependencies: [
            "WanggeCore", "WanggeGeo", "WanggeStore", "WanggeAssignment", "WanggeUseCases", "WanggeRendering", "WanggeSample",
            "WanggeServer", "WanggeTestSupport",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "GRDB", package: "GRDB.swift"),
        ], swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)

if engineOnly {
    package.products = []
    package.targets.removeAll { serviceOnly.contains($0.name) }
}
