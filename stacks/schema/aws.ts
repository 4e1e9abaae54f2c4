import { z } from "zod";
import { BudgetInput, connectionBudget, PGBOUNCER_MAX_UNAVAILABLE, sharedServerCap } from "../../policy/shared/budget";
import { contains, hasHostBits, overlaps, parseCidr } from "../../lib/network";
import type { StackCheck } from "./checks";
import { bool, email, int, ipv4Cidr, oneOf, pattern } from "./common";
import { AlertsSchema, ParametersSchema, PgbouncerSchema } from "./database";
import { EKS_VERSIONS, RDS_INSTANCE_CLASSES } from "../../lib/awsCatalog";
import { hasRdsRootCa } from "../../components/aws/rdsCaBundle";

/** `bookstore:aws` — the AWS platform (`platform: eks`). Every key is validated; unknown keys are errors. */

export const awsRegion = pattern(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "an AWS region such as \"us-east-1\"");
const arn = (what: string) => pattern(/^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:.+$/, `an ARN of ${what}`);
const hostName = pattern(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, "a lowercase DNS host name");
const instanceTypes = z.array(pattern(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, "an EC2 instance type such as \"m7g.large\""),
    { error: "expected a list of EC2 instance types" }).min(1, { error: "expected at least one instance type" });
const rdsClass = z.string({ error: `expected an RDS instance class (${Object.keys(RDS_INSTANCE_CLASSES).join(", ")})` })
    .refine((c) => c in RDS_INSTANCE_CLASSES, { error: `expected an RDS instance class (${Object.keys(RDS_INSTANCE_CLASSES).join(", ")})` });

const nodeGroup = (min: number, max: number, types: string[]) => z.strictObject({
    instanceTypes: instanceTypes.default(types)
        .describe("One architecture per group (AL2023 ARM AMIs): Graviton types only."),
    minSize: int(0, 450).default(min),
    maxSize: int(1, 450).default(max),
});

const NetworkSchema = z.strictObject({
    vpcCidr: ipv4Cidr.default("10.50.0.0/16")
        .describe("VPC range in the primary region: 3 public /24, 3 private /19 (nodes and pods), 3 "
            + "database /24 subnets."),
    replicaVpcCidr: ipv4Cidr.default("10.51.0.0/16")
        .describe("VPC range in the replica region (cross-region read replica only)."),
    natGateways: oneOf(["perAz", "single"]).optional()
        .describe("`perAz` (one NAT gateway per AZ) or `single`. Default: perAz in prod, single "
            + "elsewhere."),
    flowLogRetentionDays: int(1, 3653).default(90)
        .describe("Flow-log retention in days."),
});

const EksSchema = z.strictObject({
    version: oneOf(Object.keys(EKS_VERSIONS) as [string, ...string[]]).default("1.35")
        .describe("Kubernetes version, pinned, in EKS standard support (see lib/awsCatalog.ts)."),
    publicAccessCidrs: z.array(ipv4Cidr, { error: "expected a list of CIDRs" }).default([])
        .describe("CIDRs allowed to reach the public API endpoint; empty = private endpoint only."),
    adminRoleArns: z.array(arn("an IAM role"), { error: "expected a list of IAM role ARNs" }).default([])
        .describe("IAM roles granted cluster admin through access entries (e.g. the deployer's CI "
            + "role)."),
    systemNodeGroup: nodeGroup(2, 4, ["m7g.large"]).prefault({}),
    appNodeGroup: nodeGroup(2, 10, ["m7g.xlarge"]).prefault({}),
    spotNodeGroup: nodeGroup(0, 10, ["m7g.xlarge", "m6g.xlarge", "m8g.xlarge"]).optional()
        .describe("Spot group for spot-tolerant services; several same-size types for capacity "
            + "diversification."),
    logRetentionDays: int(1, 3653).default(90)
        .describe("Control-plane log retention in days."),
});

const ReplicaSchema = z.strictObject({
    region: awsRegion
        .describe("Region of the replica; a region other than `aws.region` gets its own VPC and KMS "
            + "key."),
    instanceClass: rdsClass.optional()
        .describe("Must be at least the primary's memory. Default: the primary's class."),
    multiAz: bool().optional()
        .describe("Default: true in prod (the seed's critical replicas)."),
});

const DatabaseSchema = z.strictObject({
    instanceClass: rdsClass.optional()
        .describe("Default: db.r6g.large (the seed's) in prod, db.t4g.medium elsewhere."),
    allocatedStorageGB: int(20, 65536).default(100)
        .describe("gp3 storage in GiB; storage autoscaling up to `maxAllocatedStorageGB`."),
    maxAllocatedStorageGB: int(20, 65536).default(500),
    multiAz: bool().optional()
        .describe("Default: true in prod."),
    backupRetentionDays: int(7, 35).default(7)
        .describe("Automated backups (7-35 days)."),
    replicas: z.array(ReplicaSchema, { error: "expected a list of replicas ({region, instanceClass?, multiAz?})" })
        .max(5, { error: "expected at most 5 replicas" }).optional()
        .describe("Read replicas. Default: prod one in `aws.region` and one in `aws.replicaRegion`; "
            + "none elsewhere."),
    promotedReplica: int(1, 5).optional()
        .describe("The replica (1-based, in `replicas` order) promoted to a standalone writer by "
            + "`bookstore-infra failover`, which records it here. RDS promotion is one-way; the program "
            + "reads the roles from RDS and falls back to this record (docs/runbooks.md)."),
    adminUsername: pattern(/^[a-z][a-z0-9_]{2,62}$/, "a user name of 3-63 lowercase letters, digits or underscores")
        .refine((u) => u !== "postgres" && u !== "rdsadmin" && !u.startsWith("rds"), { error: "expected a user name other than postgres or rds*" })
        .default("bookstoreadmin"),
    reservedConnections: int(0, 100).default(5)
        .describe("superuser_reserved_connections (3) + rds.rds_superuser_reserved_connections (2), "
            + "RDS for PostgreSQL defaults."),
    parameters: ParametersSchema.prefault({}),
    pgbouncer: PgbouncerSchema.prefault({}),
    alerts: AlertsSchema.prefault({}),
});

const CacheSchema = z.strictObject({
    nodeType: pattern(/^cache\.[a-z0-9]+\.[a-z0-9]+$/, "an ElastiCache node type such as \"cache.r7g.large\"").optional()
        .describe("Default: cache.r7g.large in prod, cache.t4g.small elsewhere."),
    shards: int(1, 500).default(3)
        .describe("Shards (node groups). Seed: 3 primaries."),
    replicasPerShard: int(0, 5).default(1)
        .describe("Replicas per shard. Seed: 1 (3 primaries + 3 replicas)."),
    engineVersion: oneOf(["8.0", "8.1", "8.2"]).default("8.2"),
    snapshotRetentionDays: int(1, 35).default(7),
});

const EdgeSchema = z.strictObject({
    webHost: hostName
        .describe("Public host of the web app (the ALB's certificate must cover it)."),
    albCertificateArn: arn("an ACM certificate")
        .describe("ACM certificate (primary region) for the ALB's HTTPS listener."),
    albIngressCidrs: z.array(ipv4Cidr, { error: "expected a list of CIDRs" }).min(1, { error: "expected at least one CIDR" }).default(["0.0.0.0/0"])
        .describe("Who may reach the ALB on 443/80. Behind Cloudflare, list Cloudflare's published "
            + "IPv4 ranges here."),
    staticHost: hostName.optional()
        .describe("Optional custom host for the static CDN, with its us-east-1 ACM certificate "
            + "(CloudFront requires us-east-1)."),
    cloudFrontCertificateArn: arn("an ACM certificate in us-east-1").optional(),
});

const ObservabilitySchema = z.strictObject({
    alertEmails: z.array(email, { error: "expected a list of email addresses" }).default([])
        .describe("Who the SNS alert topic emails."),
    prometheus: bool().default(true)
        .describe("Amazon Managed Service for Prometheus workspace + managed scraper."),
});

export const AwsSchema = z.strictObject({
    region: awsRegion.default("us-east-1"),
    replicaRegion: awsRegion.default("us-west-2")
        .describe("Region of the cross-region read replica."),
    network: NetworkSchema.prefault({}),
    eks: EksSchema.prefault({}),
    database: DatabaseSchema.prefault({}),
    cache: CacheSchema.prefault({}),
    edge: EdgeSchema,
    observability: ObservabilitySchema.prefault({}),
});

export type AwsConfig = z.output<typeof AwsSchema>;
export type AwsDatabaseConfig = AwsConfig["database"];

/** The slice of the stack config the AWS checks and composition read. */
export interface AwsConfigView {
    platform: string;
    environment: "dev" | "staging" | "prod";
    cdn: string;
    realtime?: string;
    aws?: AwsConfig;
    app: { services: Record<string, { maxReplicas: number; dbPoolSize: number; ingress: { external: boolean }; secretEnv: Record<string, string>; hpa: { customMetrics: { enabled: boolean } } }> };
    observability?: { grafana?: { enabled: boolean } };
}

export interface ResolvedAwsReplica { region: string; instanceClass: string; multiAz: boolean; crossRegion: boolean }

/** Replicas with defaults: prod gets one in the primary region and one in the replica region (the seed's two). */
export function resolveAwsReplicas(environment: string, aws: AwsConfig): ResolvedAwsReplica[] {
    const prod = environment === "prod";
    const primaryClass = awsInstanceClass(environment, aws);
    const specs = aws.database.replicas ?? (prod ? [{ region: aws.region }, { region: aws.replicaRegion }] : []);
    return specs.map((r) => ({
        region: r.region,
        instanceClass: r.instanceClass ?? primaryClass,
        multiAz: r.multiAz ?? prod,
        crossRegion: r.region !== aws.region,
    }));
}

export const awsInstanceClass = (environment: string, aws: AwsConfig) =>
    aws.database.instanceClass ?? (environment === "prod" ? "db.r6g.large" : "db.t4g.medium");

/** The connection budget's inputs on AWS: PgBouncer pods in front of the primary and every replica, RDS's reserved slots. */
export function awsBudgetInput(config: AwsConfigView & { aws: AwsConfig }): BudgetInput {
    const db = config.aws.database;
    return {
        services: Object.entries(config.app.services).map(([name, s]) => ({ name, maxReplicas: s.maxReplicas, dbPoolSize: s.dbPoolSize })),
        pooler: {
            kind: "deployment", replicas: db.pgbouncer.replicas, maxClientConn: db.pgbouncer.maxClientConn,
            defaultPoolSize: db.pgbouncer.defaultPoolSize, reservePoolSize: db.pgbouncer.reservePoolSize, maxDbConnections: db.pgbouncer.maxDbConnections,
            maxUnavailable: PGBOUNCER_MAX_UNAVAILABLE,
        },
        readReplicas: resolveAwsReplicas(config.environment, config.aws).length,
        maxConnections: db.parameters.maxConnections,
        reservedConnections: db.reservedConnections,
    };
}

/**
 * `max_db_connections` of each replica name in PgBouncer once a replica was promoted (every name
 * then leads to the writer): what the writer's pool leaves of its connections, shared.
 */
export function promotedReplicaCap(config: AwsConfigView & { aws: AwsConfig }): number {
    const input = awsBudgetInput(config);
    return sharedServerCap(connectionBudget(input), input.pooler.replicas, input.readReplicas);
}

const at = (...rest: (string | number)[]) => ["aws", ...rest];

/** Cross-key rules of the AWS platform. */
export const awsChecks: StackCheck[] = [
    (config: AwsConfigView, report) => {
        if (config.platform === "eks" && !config.aws) report(["aws"], "expected an aws section on platform \"eks\"", undefined);
        if (config.platform !== "eks" && config.aws) report(["aws"], `expected no aws section on platform "${config.platform}" (it configures platform "eks")`, "{...}");
        if (config.platform !== "eks") return;
        if (config.cdn === "frontdoor") {
            report(["cdn"], "expected \"cloudflare\" or \"none\" on platform \"eks\" (static assets are served by CloudFront; Front Door is Azure's)", config.cdn);
        }
        if (config.realtime === "signalr") report(["realtime"], "expected no realtime setting on platform \"eks\" (ElastiCache is the SignalR backplane)", config.realtime);
        const external = Object.entries(config.app.services).filter(([, s]) => s.ingress.external);
        if (external.length > 1) report(["app", "services", external[1][0], "ingress", "external"], "expected only one external service on platform \"eks\" (the ALB Ingress owns the web host)", true);
        for (const [name, svc] of Object.entries(config.app.services)) {
            if (Object.keys(svc.secretEnv).length > 0) report(["app", "services", name, "secretEnv"], "expected no Key Vault references on platform \"eks\"", svc.secretEnv);
            // KEDA's Prometheus triggers read the AMP workspace (components/aws/kedaAuth.ts).
            if (svc.hpa.customMetrics.enabled && config.aws && !config.aws.observability.prometheus) {
                report(["app", "services", name, "hpa", "customMetrics", "enabled"], "expected false while aws.observability.prometheus is false (custom metrics are read from Amazon Managed Prometheus)", true);
            }
        }
        // Grafana's Prometheus data source is the AMP workspace (components/aws/grafana.ts).
        if (config.observability?.grafana?.enabled && config.aws && !config.aws.observability.prometheus) {
            report(["observability", "grafana", "enabled"], "expected false while aws.observability.prometheus is false (the dashboard reads Amazon Managed Prometheus)", true);
        }
        // Under a minute, the lag an idle source's replica reports cannot be told from a replica behind (components/aws/database.ts replicaLagAlarm).
        const lag = config.aws?.database.alerts.replicationLagSeconds;
        if (lag !== undefined && lag < 60) {
            report(["aws", "database", "alerts", "replicationLagSeconds"], "expected at least 60 on platform \"eks\" (an idle source's replica reports up to 300 s of lag in a sawtooth that a shorter threshold cannot tell apart)", lag);
        }
        const mode = config.aws?.database.pgbouncer.serverTlsSslmode;
        const uncovered = config.aws && (mode === "verify-ca" || mode === "verify-full")
            ? [...new Set([config.aws.region, ...resolveAwsReplicas(config.environment, config.aws).map((r) => r.region)])].filter((r) => !hasRdsRootCa(r)) : [];
        if (uncovered.length > 0) {
            report(at("database", "pgbouncer", "serverTlsSslmode"), `expected "require": no RDS root CA of ${uncovered.join(", ")} is bundled (components/aws/rdsCaBundle.ts), so PgBouncer could not verify the server`, mode);
        }
        const promoted = config.aws?.database.promotedReplica;
        if (promoted !== undefined && config.aws && promoted > resolveAwsReplicas(config.environment, config.aws).length) {
            report(at("database", "promotedReplica"), `expected a replica of aws.database.replicas (1 to ${resolveAwsReplicas(config.environment, config.aws).length})`, promoted);
        } else if (promoted !== undefined && config.aws && promotedReplicaCap({ ...config, aws: config.aws }) < 1) {
            report(at("database", "promotedReplica"), "expected room on the promoted writer for the replica names' pools (every PgBouncer name leads to it): "
                + "lower pgbouncer.defaultPoolSize or raise parameters.maxConnections", promoted);
        }
        config.aws?.database.replicas?.forEach((r, i) => {
            if (r.region !== config.aws!.region && r.region !== config.aws!.replicaRegion) {
                report(at("database", "replicas", i, "region"), `expected ${config.aws!.region} or the replica region ${config.aws!.replicaRegion}`, r.region);
            }
        });
    },
    (config: AwsConfigView, report) => {
        const aws = config.aws;
        if (config.platform !== "eks" || !aws) return;
        const vpc = parseCidr(aws.network.vpcCidr);
        for (const key of ["vpcCidr", "replicaVpcCidr"] as const) {
            const cidr = aws.network[key];
            if (hasHostBits(cidr)) report(at("network", key), "expected a network address without host bits", cidr);
            else if (parseCidr(cidr).prefix > 16) report(at("network", key), "expected a /16 or larger (the layout carves /19 and /24 subnets from it)", cidr);
        }
        if (overlaps(vpc, parseCidr(aws.network.replicaVpcCidr)) || contains(vpc, parseCidr(aws.network.replicaVpcCidr))) {
            report(at("network", "replicaVpcCidr"), `expected a range that does not overlap vpcCidr (${aws.network.vpcCidr})`, aws.network.replicaVpcCidr);
        }
        for (const g of ["systemNodeGroup", "appNodeGroup", "spotNodeGroup"] as const) {
            const group = aws.eks[g];
            if (group && group.maxSize < group.minSize) report(at("eks", g, "maxSize"), `expected an integer >= minSize (${group.minSize})`, group.maxSize);
        }
        if (aws.eks.adminRoleArns.length === 0) {
            report(at("eks", "adminRoleArns"), "expected at least one IAM role (the deployer's): the cluster creator gets no implicit admin, so `pulumi up` could not create the Kubernetes resources", []);
        }
        if (config.environment === "prod" && aws.eks.appNodeGroup.minSize < 2) {
            report(at("eks", "appNodeGroup", "minSize"), "expected at least 2 in prod (one node must be able to fail)", aws.eks.appNodeGroup.minSize);
        }
        if (aws.database.maxAllocatedStorageGB < aws.database.allocatedStorageGB) {
            report(at("database", "maxAllocatedStorageGB"), `expected at least allocatedStorageGB (${aws.database.allocatedStorageGB})`, aws.database.maxAllocatedStorageGB);
        }
        if (Boolean(aws.edge.staticHost) !== Boolean(aws.edge.cloudFrontCertificateArn)) {
            report(at("edge", aws.edge.staticHost ? "cloudFrontCertificateArn" : "staticHost"), "expected staticHost and cloudFrontCertificateArn together", undefined);
        }
        if (aws.edge.cloudFrontCertificateArn && !aws.edge.cloudFrontCertificateArn.startsWith("arn:aws:acm:us-east-1:")) {
            report(at("edge", "cloudFrontCertificateArn"), "expected a certificate in us-east-1 (CloudFront only uses ACM certificates from us-east-1)", aws.edge.cloudFrontCertificateArn);
        }
        if (!aws.edge.albCertificateArn.startsWith(`arn:aws:acm:${aws.region}:`)) {
            report(at("edge", "albCertificateArn"), `expected an ACM certificate in ${aws.region} (an ALB uses certificates from its own region)`, aws.edge.albCertificateArn);
        }
    },
    (config: AwsConfigView, report) => {
        const aws = config.aws;
        if (config.platform !== "eks" || !aws) return;
        const primary = RDS_INSTANCE_CLASSES[awsInstanceClass(config.environment, aws)];
        resolveAwsReplicas(config.environment, aws).forEach((replica, i) => {
            const cls = RDS_INSTANCE_CLASSES[replica.instanceClass];
            if (cls.memoryGiB < primary.memoryGiB) {
                report(at("database", "replicas", i, "instanceClass"),
                    `expected at least the primary's memory (${primary.memoryGiB} GiB); a smaller replica falls behind`, replica.instanceClass);
            }
        });
        const db = aws.database;
        const budget = connectionBudget(awsBudgetInput({ ...config, aws }));
        if (budget.clientConnections > budget.clientLimit) {
            report(at("database", "pgbouncer", "maxClientConn"), `expected room for the app's ${budget.clientConnections} client connections (${budget.lines[1]})`, db.pgbouncer.maxClientConn);
        }
        if (budget.serverConnections > budget.serverLimit) {
            report(at("database", "parameters", "maxConnections"), `expected room for the pooler's ${budget.serverConnections} server connections (${budget.lines[3]})`, db.parameters.maxConnections);
        }
    },
];

