/**
 * A real OTLP/gRPC receiver on loopback: an HTTP/2 (h2c) server that accepts the collector's
 * `TraceService/Export` call the way a collector does (gRPC framing, `grpc-status: 0` trailer) and
 * keeps every request body. It decodes nothing it does not need: an OTLP span carries the service
 * name and span name as plain UTF-8 strings in its protobuf, which is what the tests look for.
 */
import * as http2 from "http2";
import type { AddressInfo } from "net";

/** The gRPC method OTLP trace exporters call (opentelemetry-proto, collector/trace/v1/trace_service.proto). */
export const TRACE_EXPORT_PATH = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

export interface ReceivedExport {
    path: string;
    contentType: string;
    /** The protobuf message, without gRPC's 5-byte frame header. */
    message: Buffer;
}

export class OtlpReceiver {
    readonly received: ReceivedExport[] = [];
    private constructor(private readonly server: http2.Http2Server, readonly port: number) {}

    static async start(): Promise<OtlpReceiver> {
        const server = http2.createServer();
        const receiver = await new Promise<OtlpReceiver>((resolve, reject) => {
            server.once("error", reject);
            server.listen(0, "127.0.0.1", () => resolve(new OtlpReceiver(server, (server.address() as AddressInfo).port)));
        });
        server.on("stream", (stream, headers) => {
            const chunks: Buffer[] = [];
            stream.on("data", (c: Buffer) => chunks.push(c));
            stream.on("end", () => {
                const body = Buffer.concat(chunks);
                // gRPC frame: 1 byte compressed flag, 4 bytes big-endian length, the message.
                const message = body.length >= 5 ? body.subarray(5, 5 + body.readUInt32BE(1)) : Buffer.alloc(0);
                receiver.received.push({ path: String(headers[":path"]), contentType: String(headers["content-type"]), message });
                stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
                stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
                // An empty ExportTraceServiceResponse, framed.
                stream.end(Buffer.from([0, 0, 0, 0, 0]));
            });
        });
        return receiver;
    }

    /** The trace exports whose spans name this service. */
    exportsOf(serviceName: string): ReceivedExport[] {
        return this.received.filter((r) => r.path === TRACE_EXPORT_PATH && r.message.includes(Buffer.from(serviceName)));
    }

    /** Waits (bounded) until `predicate` holds over what was received. */
    async waitFor(predicate: () => boolean, timeoutMs = 20_000): Promise<boolean> {
        const deadline = Date.now() + timeoutMs;
        while (Date.now() < deadline) {
            if (predicate()) return true;
            await new Promise((r) => setTimeout(r, 100));
        }
        return predicate();
    }

    stop(): Promise<void> {
        return new Promise((resolve) => this.server.close(() => resolve()));
    }
}
