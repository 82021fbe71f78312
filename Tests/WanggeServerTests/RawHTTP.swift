import Foundation

/// A plain TCP connection to a live test server, for what a client library will not do: send a body in pieces
/// with pauses between them, or stop half-way.
final class RawHTTP {
    /// The socket, owned here and closed by `deinit`.
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
    }

    deinit { close(fd) }

    /// Sends all of `bytes`. The socket is used without blocking, and waits are `Task.sleep`s: a test blocked in
    /// a system call would hold one of the few cooperative threads the server under test needs too.
    func send(_ bytes: [UInt8]) async throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            if n > 0 {
                sent += n
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                try await Task.sleep(for: .milliseconds(1))
            } else {
                throw POSIXError(.EPIPE)
            }
        }
    }

    func send(_ text: String) async throws { try await send(Array(text.utf8)) }

    /// `body` as a chunked request (Transfer-Encoding: chunked), `piece` bytes per chunk with a pause after each
    /// `every` chunks, so that the server gets it over many reads.
    func sendChunked(head: String, body: [UInt8], piece: Int, pauseEvery every: Int = 64) async throws {
        try await send(head + "Transfer-Encoding: chunked\r\n\r\n")
        var i = 0, k = 0
        while i < body.count {
            let part = Array(body[i..<min(body.count, i + piece)])
            try await send(Array((String(part.count, radix: 16) + "\r\n").utf8) + part + Array("\r\n".utf8))
            i += piece
            k += 1
            if k % every == 0 { try await Task.sleep(for: .milliseconds(1)) }
        }
        try await send("0\r\n\r\n")
    }

    /// What the server has sent when `done` says it is enough, or the connection closes, or `seconds` pass.
    func receive(seconds: Double = 30, until done: (String) -> Bool) async throws -> String {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var answer: [UInt8] = []
        let deadline = ContinuousClock.now + .seconds(seconds)
        while !done(String(decoding: answer, as: UTF8.self)), ContinuousClock.now < deadline {
            let n = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if n > 0 {
                answer += buffer[0..<n]
            } else if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                try await Task.sleep(for: .milliseconds(2))
            } else {
                break
            }
        }
        return String(decoding: answer, as: UTF8.self)
    }

    /// One whole HTTP answer: its status and its body (by Content-Length; chunked bodies are joined).
    func response() async throws -> (status: Int, body: String) {
        func split(_ r: String) -> (head: String, body: String)? {
            guard let end = r.range(of: "\r\n\r\n") else { return nil }
            return (String(r[..<end.lowerBound]), String(r[end.upperBound...]))
        }
        func header(_ head: String, _ name: String) -> String? {
            head.components(separatedBy: "\r\n").dropFirst().first { $0.lowercased().hasPrefix(name + ":") }
                .map { String($0.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces) }
        }
        let r = try await receive { r in
            guard let (head, body) = split(r) else { return false }
            if let length = header(head, "content-length").flatMap(Int.init) { return body.utf8.count >= length }
            return body.hasSuffix("0\r\n\r\n")
        }
        guard let (head, body) = split(r) else { return (0, r) }
        let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
        guard header(head, "transfer-encoding") == "chunked" else { return (status, body) }
        var joined = "", rest = Substring(body)
        while let nl = rest.range(of: "\r\n"), let size = Int(rest[..<nl.lowerBound], radix: 16), size > 0 {
            let start = nl.upperBound
            let bytes = Array(rest[start...].utf8.prefix(size))
            joined += String(decoding: bytes, as: UTF8.self)
            rest = Substring(String(decoding: Array(rest[start...].utf8.dropFirst(size + 2)), as: UTF8.self))
        }
        return (status, joined)
    }
}
