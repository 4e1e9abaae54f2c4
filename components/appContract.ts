/**
 * The contract of the app this platform hosts: what BookStore (aalmada/BookStore) reads from its
 * environment and serves to its orchestrator, as data. Every entry names the app file (and lines)
 * it comes from at the pinned commit; nothing here is a guess of ours. The runtimes wire it
 * (components/azure/containerApps.ts, components/kubernetes/kubernetesAppTier.ts), the offline plan
 * refuses a stack that misses an entry (tools/offline/appContract.ts), and docs/running-bookstore.md
 * prints it as a table. Pure data and small pure helpers: no Pulumi.
 */

/** The app's source the contract is transcribed from. */
export const APP_SOURCE = {
    repository: "aalmada/BookStore",
    commit: "79aabad177f47a179f0eaa3ae08738ec51c591f1",
    date: "2026-04-27",
} as const;

/** Where in the app a fact comes from: a file at APP_SOURCE.commit, its lines, and what they say. */
export interface AppSource {
    file: string;
    lines: string;
    says: string;
}

/** The app's two services, by the role the platform gives them (stacks name them freely; roleService maps). */
export type AppRole = "api" | "web";
export const APP_ROLES: readonly AppRole[] = ["api", "web"];

const RESOURCE_NAMES: AppSource = {
    file: "src/BookStore.ServiceDefaults/ResourceNames.cs",
    lines: "6-13",
    says: 'BookStoreDb = "bookstore", Blobs = "blobs", Cache = "cache", ApiService = "apiservice", WebFrontend = "webfrontend", HealthCheckEndpoint = "/health"',
};
const APP_HOST: AppSource = {
    file: "src/BookStore.AppHost/AppHost.cs",
    lines: "20-26, 58-62",
    says: "the api is the Aspire resource \"apiservice\" (references bookstore, blobs, cache); the web is \"webfrontend\" and references the api",
};

/**
 * The Aspire resource name of each service: the name the web discovers the api by, and the
 * service name its telemetry carries (Aspire's AppHost sets OTEL_SERVICE_NAME to the resource name).
 */
export const APP_RESOURCE_NAMES: Readonly<Record<AppRole, string>> = { api: "apiservice", web: "webfrontend" };

interface EntryBase {
    /** Stable name of the entry: error messages and the docs table use it. */
    id: string;
    /** The services that read or serve it. */
    roles: readonly AppRole[];
    /** What it is, in a phrase. */
    what: string;
    sources: readonly AppSource[];
}

/** A connection string the app reads (`ConnectionStrings__<name>`, .NET configuration's `ConnectionStrings:<name>`). */
export interface ConnectionStringEntry extends EntryBase {
    kind: "connection-string";
    env: string;
    /** The client that parses it, and so the form it must have. */
    client: "npgsql" | "stackexchange-redis" | "azure-blob";
}

/** Aspire service discovery: the web reads the api's base URL from one of these (the first set wins). */
export interface DiscoveryEntry extends EntryBase {
    kind: "service-discovery";
    /** Variables in the order the web reads them in production. */
    env: readonly string[];
    /** The role whose address the variable holds. */
    target: AppRole;
}

/** An HTTP endpoint the orchestrator probes. */
export interface ProbeEntry extends EntryBase {
    kind: "probe";
    probe: "readiness" | "liveness";
    path: string;
}

/** The port the service listens on, set through ASP.NET Core's own variable. */
export interface PortEntry extends EntryBase {
    kind: "port";
    env: "ASPNETCORE_HTTP_PORTS";
}

/** PostgreSQL extensions the app creates at start (the server must allow them). */
export interface ExtensionsEntry extends EntryBase {
    kind: "postgres-extensions";
    extensions: readonly string[];
}

/** A telemetry variable the app's OpenTelemetry SDK reads. */
export interface TelemetryEntry extends EntryBase {
    kind: "telemetry";
    env: "OTEL_EXPORTER_OTLP_ENDPOINT" | "OTEL_SERVICE_NAME";
}

/**
 * A secret the app reads from configuration and the platform generates: what the app requires of
 * its value, so the generator (components/appSecrets.ts) can be checked against it.
 */
export interface SecretEntry extends EntryBase {
    kind: "secret";
    env: string;
    /** What happens without it. */
    without: string;
    requires: {
        minLength: number;
        maxLength?: number;
        /** Character classes the app insists on (ASP.NET Core Identity's password options). */
        classes?: readonly ("lower" | "upper" | "digit" | "nonAlphanumeric")[];
        /** Distinct characters the value must hold at least. */
        minDistinct?: number;
    };
}

/** The blob container the app stores into. */
export interface BlobContainerEntry extends EntryBase {
    kind: "blob-container";
    container: string;
}

export type ContractEntry =
    | ConnectionStringEntry | DiscoveryEntry | ProbeEntry | PortEntry | ExtensionsEntry | TelemetryEntry | SecretEntry | BlobContainerEntry;

/** What BookStore reads and serves, entry by entry. */
export const APP_CONTRACT: readonly ContractEntry[] = [
    {
        id: "database", kind: "connection-string", env: "ConnectionStrings__bookstore", client: "npgsql", roles: ["api"],
        what: "PostgreSQL (Marten event store and documents; Wolverine's inbox/outbox through Marten)",
        sources: [RESOURCE_NAMES, APP_HOST, {
            file: "src/BookStore.ApiService/Infrastructure/Extensions/MartenConfigurationExtensions.cs",
            lines: "40-44",
            says: "configuration.GetConnectionString(\"bookstore\"); throws at start when it is missing",
        }],
    },
    {
        id: "cache", kind: "connection-string", env: "ConnectionStrings__cache", client: "stackexchange-redis", roles: ["api"],
        what: "Redis: HybridCache's L2 and the SSE notification pub/sub",
        sources: [RESOURCE_NAMES, {
            file: "src/BookStore.ApiService/Program.cs",
            lines: "27",
            says: "builder.AddRedisDistributedCache(\"cache\") (Aspire.StackExchange.Redis.DistributedCaching: a StackExchange.Redis configuration string)",
        }],
    },
    {
        id: "blobs", kind: "connection-string", env: "ConnectionStrings__blobs", client: "azure-blob", roles: ["api"],
        what: "Azure Blob Storage: a blob service URI (token credential) or a storage connection string",
        sources: [RESOURCE_NAMES, {
            file: "src/BookStore.ApiService/Program.cs",
            lines: "24",
            says: "builder.AddAzureBlobServiceClient(\"blobs\") (Aspire.Azure.Storage.Blobs)",
        }],
    },
    {
        id: "api-discovery", kind: "service-discovery", target: "api", roles: ["web"],
        env: ["services__apiservice__https__0", "services__apiservice__http__0"],
        what: "the api's base URL (Aspire service discovery); without it the web calls http://localhost:5000",
        sources: [RESOURCE_NAMES, {
            file: "src/BookStore.Web/Program.cs",
            lines: "51-56",
            says: "outside Development: services:apiservice:https:0, else services:apiservice:http:0, else http://localhost:5000",
        }],
    },
    {
        id: "readiness", kind: "probe", probe: "readiness", path: "/health", roles: ["api", "web"],
        what: "readiness: every registered health check (the api's include the Aspire Redis and Blob clients' checks)",
        sources: [{
            file: "src/BookStore.ServiceDefaults/Extensions.cs",
            lines: "19, 145-147",
            says: "MapHealthChecks(\"/health\"): all health checks must pass for the app to be ready",
        }],
    },
    {
        id: "liveness", kind: "probe", probe: "liveness", path: "/alive", roles: ["api", "web"],
        what: "liveness: only checks tagged \"live\" (the process itself), so a dependency outage restarts nothing",
        sources: [{
            file: "src/BookStore.ServiceDefaults/Extensions.cs",
            lines: "20, 127-133, 149-152",
            says: "AddCheck(\"self\", ..., [\"live\"]); MapHealthChecks(\"/alive\", Predicate = r => r.Tags.Contains(\"live\"))",
        }],
    },
    {
        id: "port", kind: "port", env: "ASPNETCORE_HTTP_PORTS", roles: ["api", "web"],
        what: "the HTTP port: the app binds no URL of its own, so ASP.NET Core's ASPNETCORE_HTTP_PORTS decides; probes and ingress target it",
        sources: [{
            file: "src/BookStore.ApiService/Program.cs, src/BookStore.Web/Program.cs, src/*/appsettings.json",
            lines: "whole files",
            says: "no UseUrls, no Kestrel endpoints, no \"Urls\" key",
        }],
    },
    {
        id: "postgres-extensions", kind: "postgres-extensions", extensions: ["pg_trgm", "unaccent"], roles: ["api"],
        what: "extensions Marten creates at start for its n-gram search indexes",
        sources: [{
            file: "src/BookStore.ApiService/Program.cs",
            lines: "73-74",
            says: "\"Apply schema to create PostgreSQL extensions (pg_trgm, unaccent)\": await app.EnsureDatabaseSchemaAsync() before the app listens",
        }, {
            file: "src/BookStore.ApiService/Infrastructure/Extensions/DatabaseExtensions.cs",
            lines: "16-23",
            says: "store.Storage.ApplyAllConfiguredChangesToDatabaseAsync()",
        }, {
            file: "src/BookStore.ApiService/Infrastructure/Extensions/MartenConfigurationExtensions.cs",
            lines: "224-256",
            says: "NgramIndex(...) on books, authors, publishers and users",
        }],
    },
    {
        id: "otlp-endpoint", kind: "telemetry", env: "OTEL_EXPORTER_OTLP_ENDPOINT", roles: ["api", "web"],
        what: "where traces, metrics and logs go: the OTLP exporter is on only when this is set (the Azure Monitor exporter is commented out)",
        sources: [{
            file: "src/BookStore.ServiceDefaults/Extensions.cs",
            lines: "108-122",
            says: "UseOtlpExporter() when Configuration[\"OTEL_EXPORTER_OTLP_ENDPOINT\"] is set; UseAzureMonitor() commented out",
        }],
    },
    {
        id: "service-name", kind: "telemetry", env: "OTEL_SERVICE_NAME", roles: ["api", "web"],
        what: "the service name on every span and metric (Application Insights cloud_RoleName, the Prometheus `job`)",
        sources: [APP_HOST, RESOURCE_NAMES],
    },
    {
        id: "jwt-signing-key", kind: "secret", env: "Jwt__SecretKey", roles: ["api"],
        what: "the HS256 key the api signs and checks its JWTs with (Jwt:Algorithm is HS256 in appsettings.json)",
        without: "the api throws at start (\"HS256 requires Jwt:SecretKey to be configured\"): appsettings.json ships it empty",
        // UTF-8 bytes (ASCII here); outside Development also no known placeholder, which a random value never is.
        requires: { minLength: 32, minDistinct: 4 },
        sources: [{
            file: "src/BookStore.ApiService/appsettings.json",
            lines: "62-68",
            says: "\"Jwt\": { \"Algorithm\": \"HS256\", \"SecretKey\": \"\" } (only appsettings.Development.json carries a key)",
        }, {
            file: "src/BookStore.ApiService/Infrastructure/Extensions/ApplicationServicesExtensions.cs",
            lines: "17-19, 231-234, 389-438",
            says: "ValidateJwtConfiguration at service registration: HS256 needs Jwt:SecretKey, at least 32 bytes UTF-8; outside Development at least 4 distinct characters and not a known placeholder",
        }],
    },
    {
        id: "seed-admin-password", kind: "secret", env: "Seeding__AdminPassword", roles: ["api"],
        what: "the password of each tenant's seeded admin (admin@<tenant>.com); seeding (Seeding:Enabled, default true) creates it before any book",
        without: "outside Development/Test seeding throws before it writes a book, retries 10 times and gives up: the catalogue stays empty",
        requires: { minLength: 12, maxLength: 128, classes: ["lower", "upper", "digit", "nonAlphanumeric"] },
        sources: [{
            file: "src/BookStore.ApiService/Infrastructure/Extensions/DatabaseExtensions.cs",
            lines: "25-100",
            says: "background seeding reads Seeding:AdminPassword; the insecure fallback only in Development, Testing or Test; 10 attempts",
        }, {
            file: "src/BookStore.ApiService/Infrastructure/DatabaseSeeder.cs",
            lines: "76-96, 218-241",
            says: "SeedAsync seeds the admin before the books; ResolveAdminSeedPassword throws without a password outside Development/Test",
        }, {
            file: "src/BookStore.ApiService/Infrastructure/Extensions/ApplicationServicesExtensions.cs",
            lines: "162-167",
            says: "Identity password options: digit, lower, upper, non-alphanumeric, RequiredLength = PasswordValidator.MinLength (12; MaxLength 128 in BookStore.Shared/Validation/PasswordValidator.cs)",
        }],
    },
    {
        id: "blob-container", kind: "blob-container", container: "book-covers", roles: ["api"],
        what: "the container book covers are written to and read from (served through GET /api/books/{id}/cover)",
        sources: [{
            file: "src/BookStore.ApiService/Services/BlobStorageService.cs",
            lines: "9, 79-87",
            says: "ContainerName = \"book-covers\"; CreateIfNotExistsAsync(PublicAccessType.Blob) before every use",
        }],
    },
];

/** Facts of the app that shape how the platform runs it without being a variable it reads. */
export const APP_RUNTIME_FACTS = {
    schemaAtStart: {
        what: "the api applies Marten's whole schema (tables, functions, indexes, extensions) before it listens",
        sources: [{
            file: "src/BookStore.ApiService/Program.cs",
            lines: "73-74",
            says: "await app.EnsureDatabaseSchemaAsync() runs before app.Run(); AutoCreate.CreateOnly outside Development",
        }],
    },
    webStartCallsApi: {
        what: "the web asks the api for its localization settings before it listens (HttpClient, default 100 s timeout)",
        sources: [{ file: "src/BookStore.Web/Program.cs", lines: "242-260", says: "configClient.GetLocalizationConfigAsync() before app.Run()" }],
    },
    asyncDaemon: {
        what: "every api process runs Marten's async daemon in Solo mode together with Wolverine-managed distribution",
        sources: [{
            file: "src/BookStore.ApiService/Infrastructure/Extensions/MartenConfigurationExtensions.cs",
            lines: "99-104",
            says: ".AddAsyncDaemon(DaemonMode.Solo) ... IntegrateWithWolverine(x => x.UseWolverineManagedEventSubscriptionDistribution = true)",
        }],
    },
} as const;

export function entriesOf<K extends ContractEntry["kind"]>(kind: K): Extract<ContractEntry, { kind: K }>[] {
    return APP_CONTRACT.filter((e): e is Extract<ContractEntry, { kind: K }> => e.kind === kind);
}

export function contractEntry(id: string): ContractEntry {
    const entry = APP_CONTRACT.find((e) => e.id === id);
    if (!entry) throw new Error(`no app contract entry "${id}"`);
    return entry;
}

/** The variable of a connection-string entry, e.g. `ConnectionStrings__cache` for "cache". */
export function connectionStringEnv(id: "database" | "cache" | "blobs"): string {
    const entry = contractEntry(id);
    if (entry.kind !== "connection-string") throw new Error(`app contract entry "${id}" is not a connection string`);
    return entry.env;
}

/** The path a probe of this kind must request. */
export const probePath = (probe: ProbeEntry["probe"]): string =>
    entriesOf("probe").find((e) => e.probe === probe)!.path;

/** A source as one citation: `file:lines` at the pinned commit. */
export const cite = (source: AppSource): string => `${source.file}:${source.lines}`;
