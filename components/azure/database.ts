// DatabaseTier: PostgreSQL Flexible Server primary, replicas, parameters, pooler endpoints, alerts and failover endpoints.
import * as pulumi from "@pulumi/pulumi";
import * as dbforpostgresql from "@pulumi/azure-native/dbforpostgresql";
import * as privatedns from "@pulumi/azure-native/privatedns";
import { builtinPoolerParameters, serverParameters, ServerParameter, ENHANCED_METRICS_PARAMETER } from "../../lib/postgresParameters";
import type { DatabaseSpec } from "./databaseSpec";
import { createDatabaseAlerts } from "./databaseAlerts";
import { AZURE_OWNED_SERVER_PROPERTIES, backupFor, failoverRoles, highAvailabilityFor, liveRoles, virtualEndpointPair, type FailoverRoles } from "./databaseFailover";
import { FLEXIBLE_SERVER_TYPE, replicaPlacements } from "./databaseNetwork";
import { adoptServerNames, liveServer, replicaCreateMode, replicaParameters, serverFqdn, serverNames, storageToSend } from "./databaseServers";
import { POOLER_PORT } from "../kubernetes/pgbouncer";
import type { DiagnosticTarget, SecretSetting } from "../wiring";
import { adminPassword, connectionStringSecrets, type PoolerEndpoint } from "./databaseSecrets";

export const POSTGRES_PORT = 5432;

export interface DatabaseTierArgs {
    /** Short prefix for resource names (e.g. "bookstore"). */
    namePrefix: string;
    environment: "dev" | "staging" | "prod";
    /** Region of the primary. */
    location: string;
    resourceGroupName: pulumi.Input<string>;
    /** The platform VNet (linked to the private DNS zone, peered with replica VNets in other regions). */
    vnetId: pulumi.Input<string>;
    /** The platform's subnet delegated to Microsoft.DBforPostgreSQL/flexibleServers. */
    delegatedSubnetId: pulumi.Input<string>;
    /** Subscription the servers live in (part of their globally unique names). */
    subscriptionId: pulumi.Input<string>;
    /** Key Vault that receives the admin password and the connection strings. */
    keyVaultName: pulumi.Input<string>;
    /** Action group the metric alerts notify. */
    actionGroupId: pulumi.Input<string>;
    /** The Log Analytics workspace the servers' metrics are exported to (the replication-lag log alert reads them there). */
    workspaceId: pulumi.Input<string>;
    tags: Record<string, string>;
    /** The database tier's config with every default resolved (the stack config's resolveDatabase). */
    database: DatabaseSpec;
    /**
     * In-cluster host of the PgBouncer Deployment (`pooler: deployment` only). Connection strings
     * then point there; with the built-in pooler they point at each server's port 6432.
     */
    deploymentPoolerHost?: string;
    /**
     * Npgsql `Maximum Pool Size` written into the connection strings, so the app's pools stay inside
     * the connection budget. Default: none (the app sets it per service).
     */
    appPoolSize?: number;
}

export interface DatabaseServer {
    id: pulumi.Output<string>;
    name: pulumi.Output<string>;
    fqdn: pulumi.Output<string>;
    location: string;
}

/** `host:port/database` of a pooled endpoint. */
const pooledAddress = (endpoint: PoolerEndpoint) => pulumi.interpolate`${endpoint.host}:${endpoint.port}/${endpoint.database}`;

const slug = (name: string) => name.replace(/[._]/g, "-");

/**
 * The database tier: a PostgreSQL Flexible Server primary with private access (delegated subnet,
 * private DNS zone, VNet links), server parameters computed from its SKU and applied one after
 * another, the `bookstore` database, read replicas created only after the primary is fully
 * configured, an admin password from @pulumi/random kept in Key Vault, pooled connection strings
 * in Key Vault, and metric alerts.
 */
export class DatabaseTier extends pulumi.ComponentResource {
    readonly primary: DatabaseServer;
    readonly replicas: DatabaseServer[];
    readonly databaseName: string;
    readonly adminLogin: string;
    readonly adminPassword: pulumi.Output<string>;
    readonly maxConnections: number;
    /** Pooled endpoints: the primary ("bookstore"), then "bookstore-replica-1", ... */
    readonly endpoints: PoolerEndpoint[];
    /** App settings (`ConnectionStrings__<endpoint>`) → the connection string and its Key Vault secret. */
    readonly connectionStrings: Record<string, SecretSetting>;
    /** Servers whose logs and metrics go to the workspace. */
    readonly diagnosticTargets: DiagnosticTarget[];
    /** The writer/reader endpoint pair, when there are replicas. */
    readonly virtualEndpoints?: { name: pulumi.Output<string>; writer: pulumi.Output<string>; reader: pulumi.Output<string> };
    /** Host of each server's endpoint ([primary, ...replicas]): a virtual endpoint or the server's own name. */
    readonly serverHosts: pulumi.Output<string>[];
    /** Index in [primary, ...replicas] of the server in the writer role, as Azure reports it (0 until a failover). */
    readonly writerIndex: pulumi.Output<number>;
    private readonly resourceGroupName: pulumi.Output<string>;

    constructor(name: string, args: DatabaseTierArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookstore:database:DatabaseTier", name, {}, opts);
        const child = { parent: this };
        const db = args.database;
        const base = `${args.namePrefix}-${args.environment}`;
        const { tags } = args;
        const resourceGroupName = args.resourceGroupName;
        if (db.pooler === "deployment" && !args.deploymentPoolerHost) {
            throw new Error("DatabaseTier: pooler \"deployment\" needs deploymentPoolerHost");
        }
        this.databaseName = db.databaseName;
        this.resourceGroupName = pulumi.output(args.resourceGroupName);
        this.adminLogin = db.adminLogin;
        this.maxConnections = db.parameters.maxConnections;

        const vault = { resourceGroupName, keyVaultName: args.keyVaultName, tags };
        this.adminPassword = adminPassword(name, vault, this);

        // --- private access: one zone for every server, linked to every VNet a server lives in.
        const zone = new privatedns.PrivateZone(`${name}-dns-zone`, {
            resourceGroupName,
            privateZoneName: `${base}.private.postgres.database.azure.com`,
            location: "global",
            tags,
        }, child);
        const linkVnet = (linkName: string, vnetId: pulumi.Input<string>) => new privatedns.VirtualNetworkLink(linkName, {
            resourceGroupName,
            privateZoneName: zone.name,
            location: "global",
            virtualNetwork: { id: vnetId },
            registrationEnabled: false,
            tags,
        }, child);
        const mainLink = linkVnet(`${name}-dns-link`, args.vnetId);
        const placements = replicaPlacements({
            name, base, location: args.location, resourceGroupName, vnetId: args.vnetId,
            delegatedSubnetId: args.delegatedSubnetId, replicas: db.replicas, tags, linkVnet,
        }, this);

        // --- server names, known before any server exists (connection strings need nothing more).
        const generatedNames = pulumi.output(args.subscriptionId).apply((subscription) => serverNames(base, subscription, pulumi.getStack(), db.replicas.length));
        const names = generatedNames.apply((generated) => adoptServerNames(generated, db.serverNames));
        const primaryServerName = names.apply((n) => n.primary);
        const replicaServerNames = db.replicas.map((_, i) => names.apply((n) => n.replicas[i]));
        const lookup = { parent: this };
        const live = (serverName: pulumi.Output<string>) => liveServer(resourceGroupName, serverName, lookup);
        const livePrimary = live(primaryServerName);
        const liveReplicas = replicaServerNames.map(live);
        // After a switchover the roles swap, never the resources: names, URNs and create-time inputs stay.
        // Which server writes is read from Azure (the stack file's record is the fallback), like the storage size.
        const { partner } = failoverRoles(db);
        const roles: pulumi.Output<FailoverRoles> = partner === undefined ? pulumi.output(failoverRoles(db))
            : pulumi.all([livePrimary, liveReplicas[partner - 1], primaryServerName, replicaServerNames[partner - 1]]).apply(([original, partnerServer, originalName, partnerName]) => {
                const found = liveRoles(db, original, partnerServer, { original: originalName, partner: partnerName });
                if (found.writer !== failoverRoles(db).writer) {
                    pulumi.log.warn(`Azure reports ${found.writer === 0 ? originalName : partnerName} as the primary; database.failover.promoted `
                        + `records ${db.failover.promoted}: following Azure. Record it (bookstore-infra failover does) so offline plans agree.`, this);
                }
                return found;
            });
        const isWriter = (index: number) => roles.apply((r) => r.writer === index);
        // Outputs from the callback are lifted and keep their secrecy (@pulumi/pulumi output.js liftInnerOutput).
        const passwordFor = (index: number) => isWriter(index).apply((writes) => (writes ? this.adminPassword : pulumi.output(undefined)) as pulumi.Output<string | undefined>);
        const haFor = (index: number) => roles.apply((r) => highAvailabilityFor(r.writer === index ? "writer" : "replica", db.highAvailability));

        // --- primary
        const primaryName = `${base}-pg`;
        const primaryParameters = this.parametersFor(db, db.sku.name, db.storage.sizeGB);
        const primary = new dbforpostgresql.Server(primaryName, {
            resourceGroupName,
            serverName: primaryServerName,
            location: args.location,
            version: db.version,
            sku: { name: db.sku.name, tier: db.sku.tier },
            storage: { storageSizeGB: livePrimary.apply((l) => storageToSend(db.storage.sizeGB, l)), autoGrow: db.storage.autoGrow ? "Enabled" : "Disabled" },
            // Backups and the password belong to the server that writes: a replica has no backups, and Azure
            // does not support resetting the admin password on a replica (Learn, "Read replicas").
            backup: pulumi.all([isWriter(0), livePrimary]).apply(([writes, l]) => backupFor(writes, l, db.backup)),
            highAvailability: { mode: haFor(0) },
            network: {
                delegatedSubnetResourceId: args.delegatedSubnetId,
                privateDnsZoneArmResourceId: zone.id,
                publicNetworkAccess: "Disabled",
            },
            authConfig: { passwordAuth: "Enabled", activeDirectoryAuth: "Disabled" },
            administratorLogin: db.adminLogin,
            administratorLoginPassword: passwordFor(0),
            tags,
        }, { ...child, protect: true, dependsOn: [mainLink], ignoreChanges: AZURE_OWNED_SERVER_PROPERTIES });
        const primaryConfigs = this.configureChain(primaryName, primary, primaryParameters, [primary], resourceGroupName);
        const database = new dbforpostgresql.Database(`${primaryName}-${db.databaseName}`, {
            resourceGroupName,
            serverName: primary.name,
            databaseName: db.databaseName,
            charset: "UTF8",
            collation: "en_US.utf8",
        }, { ...child, protect: true, dependsOn: primaryConfigs.length > 0 ? [primaryConfigs[primaryConfigs.length - 1]] : [primary] });
        this.primary = { id: primary.id, name: primaryServerName, fqdn: primaryServerName.apply(serverFqdn), location: args.location };

        // --- replicas. Each waits for the primary's whole parameter chain: a replica inherits the
        // primary's parameters when it is created (Learn, "Read replicas" > Server parameters), and
        // creating one puts the primary in "updating", which blocks parameter changes. Replica N waits
        // for replica N-1's server only, not its parameters: replica creation is itself an operation on
        // the primary, which Azure runs one at a time (same doc; hashicorp/terraform-provider-azurerm#22211).
        const primaryReady: pulumi.Resource[] = [primary, ...primaryConfigs, database];
        let previousReplica: pulumi.Resource[] = [];
        this.replicas = db.replicas.map((replica, i) => {
            const replicaName = `${base}-pg-replica-${i + 1}`;
            const serverName = replicaServerNames[i];
            const existing = liveReplicas[i];
            const placement = placements.get(replica.location)!;
            const server = new dbforpostgresql.Server(replicaName, {
                resourceGroupName,
                serverName,
                location: replica.location,
                createMode: existing.apply(replicaCreateMode),
                sourceServerResourceId: primary.id,
                sku: { name: replica.sku.name, tier: replica.sku.tier },
                storage: { storageSizeGB: existing.apply((l) => storageToSend(replica.storageSizeGB, l)), autoGrow: db.storage.autoGrow ? "Enabled" : "Disabled" },
                // Replicas can have neither HA nor backups of their own; the partner, once it writes, gets the configured HA and backups.
                highAvailability: { mode: haFor(i + 1) },
                ...(partner === i + 1 ? {
                    backup: pulumi.all([isWriter(i + 1), existing]).apply(([writes, l]) => backupFor(writes, l, db.backup)),
                    administratorLoginPassword: passwordFor(i + 1),
                } : {}),
                network: {
                    delegatedSubnetResourceId: placement.subnetId,
                    privateDnsZoneArmResourceId: zone.id,
                    publicNetworkAccess: "Disabled",
                },
                tags,
            }, {
                ...child, protect: true, dependsOn: [...primaryReady, ...placement.ready, ...previousReplica],
                ignoreChanges: AZURE_OWNED_SERVER_PROPERTIES,
            });
            // The partner may write (a switchover): it carries the writer's whole tuning for its own SKU, so
            // whichever of the pair writes has it and a failover adds or removes no Configuration.
            const ownParameters = this.parametersFor(db, replica.sku.name, replica.storageSizeGB);
            this.configureChain(replicaName, server, partner === i + 1 ? ownParameters : replicaParameters(primaryParameters, ownParameters), [server], resourceGroupName);
            previousReplica = [server];
            return { id: server.id, name: serverName, fqdn: serverName.apply(serverFqdn), location: replica.location };
        });

        // --- virtual endpoints: the connection strings survive a switchover (components/azure/databaseFailover.ts).
        const servers = [this.primary, ...this.replicas];
        const pair = virtualEndpointPair(`${base}-pg-endpoints`, { resourceGroupName, endpointBaseName: generatedNames.apply((n) => n.primary), servers, partner, roles, after: previousReplica }, this);
        this.virtualEndpoints = pair.endpoints;
        this.serverHosts = pair.hosts;

        // --- pooled endpoints and connection strings
        const endpointNames = [db.databaseName, ...this.replicas.map((_, i) => `${db.databaseName}-replica-${i + 1}`)];
        this.writerIndex = roles.apply((r) => r.writer);
        this.endpoints = servers.map((_, i) => ({
            name: endpointNames[i],
            // The built-in PgBouncer listens on port 6432 of the server the name resolves to; TLS mode Require checks no host name.
            host: args.deploymentPoolerHost ? pulumi.output(args.deploymentPoolerHost) : this.serverHosts[i],
            port: POOLER_PORT,
            // Through the PgBouncer Deployment the endpoint name selects the server; the built-in pooler takes the real name.
            database: args.deploymentPoolerHost ? endpointNames[i] : db.databaseName,
        }));
        this.connectionStrings = connectionStringSecrets(name, vault, {
            endpoints: this.endpoints,
            user: db.adminLogin,
            password: this.adminPassword,
            tls: args.deploymentPoolerHost ? "Disable" : "Require",
            maxPoolSize: args.appPoolSize,
        }, this);

        createDatabaseAlerts({ base, resourceGroupName, location: args.location, workspaceId: args.workspaceId, actionGroupId: args.actionGroupId, database: db, tags }, [
            { label: "pg", id: primary.id, location: args.location },
            ...this.replicas.map((r, i) => ({ label: `pg-replica-${i + 1}`, id: r.id, location: r.location })),
        ], this, this.writerIndex);
        this.diagnosticTargets = servers.map((server, i) => ({
            name: i === 0 ? "postgres-primary" : `postgres-replica-${i}`,
            resourceId: server.id,
            resourceType: FLEXIBLE_SERVER_TYPE,
        }));

        this.registerOutputs({
            primary: this.primary,
            replicas: this.replicas,
            adminLogin: this.adminLogin,
            adminPassword: this.adminPassword,
            maxConnections: this.maxConnections,
            endpoints: this.endpoints,
        });
    }

    /** The stack outputs of the tier (names read by the internal CLI's `doctor`). */
    stackOutputs(): Record<string, pulumi.Input<unknown>> {
        // The doctor checks servers by their own names (the certificate's), in their current roles.
        const fqdns = pulumi.all([this.primary, ...this.replicas].map((s) => s.fqdn));
        const servers = [this.primary, ...this.replicas];
        return {
            databaseWriteHost: pulumi.all([this.writerIndex, fqdns]).apply(([writer, all]) => all[writer]),
            databaseReadHosts: pulumi.all([this.writerIndex, fqdns]).apply(([writer, all]) => all.filter((_, i) => i !== writer)),
            // What `bookstore-infra failover` needs: the servers in config order, and where they live.
            databaseServerNames: pulumi.all(servers.map((s) => s.name)),
            databaseResourceGroupName: this.resourceGroupName,
            ...(this.virtualEndpoints ? { databaseVirtualEndpoints: { writer: this.virtualEndpoints.writer, reader: this.virtualEndpoints.reader } } : {}),
            databasePort: POSTGRES_PORT,
            databasePoolerPort: POOLER_PORT,
            // What the app connects to, through the pooler: the connection strings without credentials.
            databaseWriteEndpoint: pooledAddress(this.endpoints[0]),
            databaseReadEndpoints: pulumi.all(this.endpoints.slice(1).map(pooledAddress)),
            databaseName: this.databaseName,
            databaseAdminLogin: this.adminLogin,
            databaseAdminPassword: this.adminPassword,
            databaseMaxConnections: this.maxConnections,
        };
    }

    /** PgBouncer `[databases]` entries: each endpoint name and the server behind it. */
    serverDatabases(): { name: string; host: pulumi.Output<string>; port: number; dbname: string }[] {
        return this.serverHosts.map((host, i) => ({
            name: this.endpoints[i].name, host, port: POSTGRES_PORT, dbname: this.databaseName,
        }));
    }

    /** The seed's tuning for a server of this SKU and disk, plus the built-in PgBouncer when that is the pooler. */
    private parametersFor(db: DatabaseSpec, skuName: string, storageGiB: number): ServerParameter[] {
        const tuning = [...serverParameters(skuName, db.parameters, storageGiB), ENHANCED_METRICS_PARAMETER];
        return db.pooler === "builtin" ? [...tuning, ...builtinPoolerParameters(db.pgbouncer)] : tuning;
    }

    /** One Configuration per parameter, each waiting for the previous one: in parallel Azure answers ServerBusy (Azure/ResourceModules#3324). */
    private configureChain(serverLogicalName: string, server: dbforpostgresql.Server, parameters: ServerParameter[],
        after: pulumi.Resource[], resourceGroupName: pulumi.Input<string>): dbforpostgresql.Configuration[] {
        const chain: dbforpostgresql.Configuration[] = [];
        for (const parameter of parameters) {
            const previous = chain.length > 0 ? [chain[chain.length - 1]] : after;
            chain.push(new dbforpostgresql.Configuration(`${serverLogicalName}-${slug(parameter.name)}`, {
                resourceGroupName,
                serverName: server.name,
                configurationName: parameter.name,
                value: parameter.value,
                source: "user-override",
            }, { parent: this, dependsOn: previous }));
        }
        return chain;
    }
}
