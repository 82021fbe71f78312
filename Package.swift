// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Wangge",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "wangge", targets: ["wangge"]),
        .executable(name: "wangge-bench", targets: ["wangge-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        // Debian's libgeos-dev (3.11) and libproj-dev (9.1) through module maps and shim headers.
        .systemLibrary(name: "CGEOS", pkgConfig: "geos", providers: [.apt(["libgeos-dev"])]),
        .systemLibrary(name: "CPROJ", pkgConfig: "proj", providers: [.apt(["libproj-dev"])]),
        // glibc's <malloc.h> (mallopt), for the service's memory settings.
        .systemLibrary(name: "CMalloc"),

        // Pure Swift: domain values, GeoJSON, CRS formulas, errors. No C libraries, no I/O.
        .target(name: "WanggeCore"),
        // The only code that touches GEOS and PROJ pointers.
        .target(name: "WanggeGeo", dependencies: ["WanggeCore", "CGEOS", "CPROJ"]),
        // SQLite through GRDB: receives WKB and bounding boxes, never GEOS objects.
        .target(name: "WanggeStore", dependencies: [
            "WanggeCore",
            .product(name: "GRDB", package: "GRDB.swift"),
            // Exports read column bytes straight from the statement (no String per field).
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
        ]),
        // Use cases that combine geometry and storage: boundary import, the sample generator.
        .target(name: "WanggeKit", dependencies: [
            "WanggeCore", "WanggeGeo", "WanggeStore",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The HTTP service: Hummingbird 2, roles and tokens, controllers, error mapping.
        .target(name: "WanggeServer", dependencies: [
            "WanggeCore", "WanggeGeo", "WanggeStore", "WanggeKit",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "wangge", dependencies: [
            "WanggeKit", "WanggeServer", "CMalloc",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "wangge-bench", dependencies: [
            "WanggeKit",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Fixture paths and small boundary-file builders shared by the test targets.
        .target(name: "WanggeTestSupport", dependencies: ["WanggeCore"], path: "Tests/WanggeTestSupport"),
        .testTarget(name: "WanggeCoreTests", dependencies: ["WanggeCore", "WanggeTestSupport"]),
        .testTarget(name: "WanggeGeoTests", dependencies: ["WanggeGeo", "WanggeTestSupport"]),
        .testTarget(name: "WanggeStoreTests", dependencies: ["WanggeStore", "WanggeTestSupport"]),
        .testTarget(name: "WanggeKitTests", dependencies: ["WanggeKit", "WanggeTestSupport"]),
        .testTarget(name: "WanggeServerTests", dependencies: [
            "WanggeServer", "WanggeTestSupport",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
