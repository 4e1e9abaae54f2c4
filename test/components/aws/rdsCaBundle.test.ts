import * as assert from "assert";
import { X509Certificate } from "crypto";
import { RDS_ROOT_CAS, rdsCaBundlePem } from "../../../components/aws/rdsCaBundle";

/** The day the bundle was taken; a CA that expires before the platform's life is over must be refreshed. */
const TAKEN = new Date("2026-11-29T00:00:00Z");

describe("RDS root CA bundle (PgBouncer's server_tls_ca_file on eks)", () => {
    it("holds real, self-signed RDS root CAs, valid on the day they were taken, keyed by their own CN", () => {
        assert.ok(Object.keys(RDS_ROOT_CAS).length > 60);
        for (const [cn, der] of Object.entries(RDS_ROOT_CAS)) {
            const cert = new X509Certificate(Buffer.from(der, "base64"));
            assert.strictEqual(/CN=([^\n]+)/.exec(cert.subject)?.[1], cn);
            assert.ok(cert.ca, `${cn} is not a CA`);
            assert.ok(cert.verify(cert.publicKey), `${cn} is not self-signed`);
            assert.ok(new Date(cert.validTo) > TAKEN, `${cn} expired ${cert.validTo}`);
            assert.match(cn, /^Amazon RDS [a-z0-9-]+ Root CA (RSA2048|RSA4096|ECC384) G1$/);
        }
    });

    it("bundles the three G1 roots (RSA2048 the stacks' CA, RSA4096, ECC384) of each requested region, and only those", () => {
        const pem = rdsCaBundlePem(["us-east-1", "us-west-2"]);
        const blocks = pem.match(/-----BEGIN CERTIFICATE-----\n[\s\S]+?\n-----END CERTIFICATE-----\n/g)!;
        assert.strictEqual(blocks.join(""), pem);
        const names = blocks.map((b) => /CN=([^\n]+)/.exec(new X509Certificate(b).subject)![1]).sort();
        assert.deepStrictEqual(names, ["RSA2048", "RSA4096", "ECC384"].flatMap((a) => ["us-east-1", "us-west-2"].map((r) => `Amazon RDS ${r} Root CA ${a} G1`)).sort());
    });

    it("names a region it has no CA for instead of mounting a bundle that cannot verify it", () => {
        assert.throws(() => rdsCaBundlePem(["us-east-1", "xx-nowhere-9"]), /no RDS root CA known for xx-nowhere-9/);
    });
});
