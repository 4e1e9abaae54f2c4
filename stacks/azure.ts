import * as pulumi from "@pulumi/pulumi";
import { DatabaseTier } from "../components/azure/database";
import { PgbouncerDeployment, pgbouncerServiceHost } from "../components/kubernetes/pgbouncer";
import { APP_NAMESPACE } from "../components/kubernetes/kubernetesAppTier";
import { PlatformBase } from "../components/azure/platform";
import { Cache } from "../components/azure/cache";
import { CloudflareEdge } from "../components/cloudflare/cloudflareEdge";
import type { WebCustomDomainSpec } from "../components/azure/customDomain";
import { Observability, portalLink } from "../components/azure/observability";
import { StackDashboard } from "../components/azure/dashboard";
import { LoadTesting } from "../components/azure/loadTesting";
import { Realtime, SIGNALR_REDIS_CHANNEL_PREFIX, signalRIdentityConnectionString } from "../components/azure/realtime";
import { FrontDoorCdn, StaticAssets } from "../components/azure/staticAssets";
import { AksCluster } from "../components/azure/aksCluster";
import { createAppTier, roleService } from "../components/azure/appTier";
import { AppWiring, DiagnosticTarget, mergeWiring } from "../components/wiring";
import { isProd, StackConfig, stackTags } from "./config";
import { resolveDatabase, sharedAppPoolSize } from "./schema/database";
import { deployerPrincipalType, providerSignIn } from "./schema/deployer";
import { aksWebEdge, frontDoorWebRoute, realtimeMode, webOriginTrusted } from "./schema/edge";
import { loadTestingEnabled } from "./schema/loadTesting";
import { aksWebInboundRule } from "../lib/network";

/** Stack outputs: what operators and internal tools read after `pulumi up`. */
export type AzureStackOutputs = Record<string, pulumi.Input<unknown>>;

/**
 * The web app's own custom domain: with Cloudflare below Enterprise the origin sees our host name
 * (no Host header override), so the Container App must serve it with a certificate Cloudflare trusts.
 */
export function webCustomDomain(config: StackConfig): WebCustomDomainSpec | undefined {
    const cf = config.cdn === "cloudflare" ? config.cloudflare : undefined;
    if (!cf || cf.plan === "enterprise" || config.platform !== "containerapps") return undefined;
    if (!config.cloudflareApiToken || !config.cloudflareOriginCertificate) return undefined;
    return {
        hostname: cf.webHostname,
        certificatePem: pulumi.secret(config.cloudflareOriginCertificate),
        zoneId: cf.zoneId,
        apiToken: config.cloudflareApiToken,
    };
}

/**
 * Composes the Azure platform from validated config: the base first, then each tier on top of
 * it; every tier hands the app tier its settings (AppWiring) and adds its stack outputs.
 */
export function composeAzureStack(config: StackConfig): AzureStackOutputs {
    const tags = stackTags(config);
    const platform = new PlatformBase("platform", {
        namePrefix: config.namePrefix,
        environment: config.environment,
        location: config.location,
        tags,
        addressSpace: config.network.addressSpace,
        subnets: config.network.subnets,
        logRetentionDays: config.monitoring.logRetentionDays,
        registrySku: config.registry.sku,
        existingRegistryId: config.registry.existing?.resourceId,
        alertEmails: config.monitoring.alertEmails,
        aksInboundRules: config.platform === "aks" ? [aksWebInboundRule(aksWebEdge(config))] : [],
    });
    const outputs: AzureStackOutputs = {
        resourceGroupName: platform.resourceGroupName,
        location: platform.location,
        keyVaultName: platform.keyVault.name,
        registryLoginServer: platform.registry.loginServer,
        workloadIdentityClientId: platform.workloadIdentity.clientId,
    };
    /** Settings each tier hands the app tier. */
    const wirings: AppWiring[] = [];
    /** Resources whose logs and metrics go to the workspace (filled by every tier). */
    const diagnosticTargets: DiagnosticTarget[] = [];

    // --- AKS cluster (platform "aks" only; the database tier's pooler runs on it) ---
    const aksCluster = config.platform === "aks"
        ? new AksCluster("aks", {
            namePrefix: config.namePrefix, environment: config.environment, aks: config.app.aks, platform, tags,
            deployerPrincipalType: deployerPrincipalType(config.deployer.principalType,
                providerSignIn((key) => new pulumi.Config("azure-native").get(key), process.env)),
        })
        : undefined;
    if (aksCluster) {
        diagnosticTargets.push(aksCluster.diagnosticTarget);
        outputs.aksClusterName = aksCluster.clusterName;
        outputs.prometheusWorkspaceId = aksCluster.monitorWorkspaceId;
    }

    // --- database tier (PostgreSQL primary, replicas, alerts; pooler endpoints) ---
    const databaseConfig = resolveDatabase(config);
    const database = new DatabaseTier("database", {
        namePrefix: config.namePrefix,
        environment: config.environment,
        location: config.location,
        resourceGroupName: platform.resourceGroupName,
        vnetId: platform.vnetId,
        delegatedSubnetId: platform.subnetIds.postgres,
        subscriptionId: platform.subscriptionId,
        keyVaultName: platform.keyVault.name,
        actionGroupId: platform.actionGroupId,
        tags,
        database: databaseConfig,
        // The Service's name is fixed, so the connection strings exist before the PgBouncer Deployment does.
        deploymentPoolerHost: databaseConfig.pooler === "deployment" ? pgbouncerServiceHost(APP_NAMESPACE) : undefined,
        appPoolSize: sharedAppPoolSize(config),
    });
    wirings.push({ env: {}, secrets: database.connectionStrings });
    diagnosticTargets.push(...database.diagnosticTargets);
    Object.assign(outputs, database.stackOutputs());

    // --- cache and real-time (wired into the app) ---
    const edgeBase = `${config.namePrefix}-${config.environment}`;
    const edgeProd = isProd(config);
    const cache = new Cache("cache", {
        resourceGroupName: platform.resourceGroupName,
        location: config.location,
        clusterName: `${edgeBase}-redis`,
        sku: config.cache.sku ?? (edgeProd ? "Balanced_B5" : "Balanced_B0"),
        highAvailability: config.cache.highAvailability ?? edgeProd,
        clusteringPolicy: config.cache.clusteringPolicy,
        evictionPolicy: config.cache.evictionPolicy,
        persistence: config.cache.persistence ?? (edgeProd ? "rdb" : "none"),
        entraPrincipalId: platform.workloadIdentity.principalId,
        privateEndpoint: (config.cache.privateEndpoint ?? edgeProd)
            ? { vnetId: platform.vnetId, subnetId: platform.subnetIds.privateEndpoints } : undefined,
        tags,
    });
    const realtime = realtimeMode(config);
    // SignalR's host name follows from its resource name, so the app is wired now and the service is
    // created once the public web origin (its CORS) is known, after the app tier.
    const signalRName = `${edgeBase}-signalr`;
    wirings.push({
        env: {
            ConnectionStrings__redis: cache.connectionString,
            ...(realtime === "signalr"
                ? { Azure__SignalR__ConnectionString: platform.workloadIdentity.clientId.apply((clientId) =>
                    signalRIdentityConnectionString(`${signalRName}.service.signalr.net`, clientId)) }
                : { SignalR__Backplane: "Redis", SignalR__Redis__ChannelPrefix: SIGNALR_REDIS_CHANNEL_PREFIX }),
        },
        secrets: {},
    });
    diagnosticTargets.push(
        ...cache.diagnosticTargets,
        { name: "key-vault", resourceId: platform.keyVault.id, resourceType: "Microsoft.KeyVault/vaults" },
        { name: "container-registry", resourceId: platform.registry.id, resourceType: "Microsoft.ContainerRegistry/registries" },
    );
    outputs.redisHost = cache.hostName;
    outputs.redisPort = cache.port;
    outputs.realtime = realtime;

    // --- app tier (Container Apps or Kubernetes) ---
    const wiring = mergeWiring(...wirings);
    const appTier = createAppTier("app", {
        platformKind: config.platform,
        namePrefix: config.namePrefix,
        environment: config.environment,
        services: config.app.services,
        runtime: config.app,
        platform,
        platformBase: platform,
        aksCluster,
        aksTls: config.aksTlsCertificate !== undefined && config.aksTlsPrivateKey !== undefined
            ? { chain: pulumi.secret(config.aksTlsCertificate), privateKey: pulumi.secret(config.aksTlsPrivateKey) } : undefined,
        wiring,
        webCustomDomain: webCustomDomain(config),
        tags,
    });
    diagnosticTargets.push(...appTier.diagnosticTargets);
    // The AKS Gateway serves HTTPS only with a certificate (aksTlsCertificate); Container Apps always does.
    const webScheme = webOriginTrusted(config) ? "https" : "http";
    outputs.webUrl = pulumi.interpolate`${webScheme}://${appTier.webHost}`;
    outputs.apiHost = appTier.apiHost;
    if (appTier.namespace) outputs.kubernetesNamespace = appTier.namespace;

    // --- PgBouncer Deployment (pooler "deployment", in the app namespace) ---
    if (databaseConfig.pooler === "deployment") {
        if (!appTier.provider || !appTier.namespace) throw new Error("the PgBouncer Deployment needs the Kubernetes app tier's provider and namespace");
        new PgbouncerDeployment("pgbouncer", {
            provider: appTier.provider,
            namespace: appTier.namespace,
            databases: database.serverDatabases(),
            user: database.adminLogin,
            password: database.adminPassword,
            settings: databaseConfig.pgbouncer,
            registryLoginServer: platform.registry.loginServer,
            startAfter: appTier.workloadGrantsReady ? [appTier.workloadGrantsReady] : [],
        });
    }

    // --- static assets and CDN (Front Door or Cloudflare; needs the web app's host) ---
    const webOrigin = pulumi.interpolate`${webScheme}://${appTier.webHost}`;
    const cloudflareConfig = config.cdn === "cloudflare" ? config.cloudflare : undefined;
    const staticAssets = new StaticAssets("static-assets", {
        resourceGroupName: platform.resourceGroupName,
        location: config.location,
        accountLogicalName: `${config.namePrefix.slice(0, 10)}${config.environment.slice(0, 4)}st`,
        zoneRedundant: edgeProd,
        softDeleteDays: edgeProd ? 30 : 7,
        // Pages on another host fetch fonts cross-origin (Front Door's web route serves pages and assets from one origin).
        corsOrigins: [webOrigin, ...(cloudflareConfig ? [`https://${cloudflareConfig.webHostname}`] : [])],
        tags,
    });
    diagnosticTargets.push(...staticAssets.diagnosticTargets);
    outputs.staticAssetsAccount = staticAssets.accountName;
    /** Origins browsers load the web app from: SignalR's CORS list. */
    const publicWebOrigins: pulumi.Input<string>[] = [webOrigin];
    let frontDoor: FrontDoorCdn | undefined;
    if (config.cdn === "frontdoor") {
        frontDoor = new FrontDoorCdn("frontdoor", {
            resourceGroupName: platform.resourceGroupName,
            profileName: `${edgeBase}-fd`,
            staticOriginHost: staticAssets.blobHost,
            web: frontDoorWebRoute(config)
                ? { host: appTier.webHost, healthPath: config.app.services[roleService(config.app.services, "web")].healthPath }
                : undefined,
            tags,
        });
        diagnosticTargets.push(...frontDoor.diagnosticTargets);
        outputs.cdnUrl = frontDoor.staticUrl;
        outputs.publicWebUrl = frontDoor.webUrl ?? webOrigin;
        if (frontDoor.webUrl) publicWebOrigins.push(pulumi.interpolate`https://${frontDoor.endpointHostName}`);
    } else if (cloudflareConfig && config.cloudflareApiToken) {
        const edge = new CloudflareEdge("cloudflare", {
            zoneId: cloudflareConfig.zoneId,
            apiToken: config.cloudflareApiToken,
            plan: cloudflareConfig.plan,
            web: { hostname: cloudflareConfig.webHostname, originHost: appTier.webHost },
            static: { hostname: cloudflareConfig.staticHostname, originHost: staticAssets.blobHost },
            bypassPathPrefixes: cloudflareConfig.bypassPathPrefixes,
        });
        outputs.cdnUrl = edge.staticUrl;
        outputs.publicWebUrl = edge.webUrl;
        publicWebOrigins.push(`https://${cloudflareConfig.webHostname}`);
    } else {
        outputs.cdnUrl = staticAssets.containerUrl;
        outputs.publicWebUrl = webOrigin;
    }
    // The SignalR Service the app was wired to above, now that its CORS origins are known.
    const signalr = realtime === "signalr"
        ? new Realtime("realtime", {
            resourceGroupName: platform.resourceGroupName,
            location: config.location,
            resourceName: signalRName,
            capacity: config.signalr.capacity ?? (edgeProd ? 2 : 1),
            allowedOrigins: publicWebOrigins,
            appIdentity: platform.workloadIdentity,
            subscriptionId: platform.subscriptionId,
            tags,
        })
        : undefined;
    if (signalr) {
        diagnosticTargets.push(...signalr.diagnosticTargets);
        outputs.signalrHost = signalr.hostName;
    }

    // --- observability (diagnostic settings for every target, alerts, scrape config) ---
    const scaledContainerApps = Object.entries(appTier.services).flatMap(([service, svc]) =>
        svc.resourceId ? [{ service, resourceId: svc.resourceId, maxReplicas: svc.maxReplicas }] : []);
    // Each Container App exports its Replicas metric, which the at-max alerts read.
    diagnosticTargets.push(...scaledContainerApps.map((app) => ({
        name: `container-app-${app.service}`, resourceId: app.resourceId, resourceType: "Microsoft.App/containerApps",
    })));
    const apiService = roleService(config.app.services, "api");
    const observability = new Observability("observability", {
        resourceGroupName: platform.resourceGroupName,
        location: config.location,
        namePrefix: edgeBase,
        workspaceId: platform.workspace.id,
        actionGroupId: platform.actionGroupId,
        appInsightsId: platform.appInsights.id,
        diagnosticTargets,
        thresholds: config.observability,
        containerApps: scaledContainerApps,
        kubernetes: aksCluster && appTier.provider && appTier.namespace ? {
            provider: appTier.provider,
            namespace: APP_NAMESPACE,
            namespaceRef: appTier.namespace,
            clusterName: aksCluster.clusterName,
            clusterId: aksCluster.clusterId,
            azureMonitorWorkspaceId: aksCluster.monitorWorkspaceId,
            scrape: { name: apiService, matchLabels: { "app.kubernetes.io/name": apiService }, port: "http" },
        } : undefined,
        redisClusterId: cache.clusterId,
        signalrId: signalr?.id,
        frontDoorProfileId: frontDoor?.profileId,
        tags,
    });
    outputs.alertNames = observability.alertNames;
    const dashboard = new StackDashboard("dashboard", {
        resourceGroupName: platform.resourceGroupName, location: config.location, namePrefix: edgeBase, tags,
        appInsightsId: platform.appInsights.id, workspaceId: platform.workspace.id, redisClusterId: cache.clusterId,
        platform: config.platform, services: appTier.services, kubernetesNamespace: APP_NAMESPACE, database,
    });
    const loadTesting = loadTestingEnabled(config)
        ? new LoadTesting("loadtest", { resourceGroupName: platform.resourceGroupName, location: config.location, name: `${edgeBase}-loadtest`, tags })
        : undefined;
    const link = (id: pulumi.Input<string>, blade?: string) =>
        pulumi.all([platform.tenantId, id]).apply(([tenantId, resourceId]) => portalLink(tenantId, resourceId, blade));
    outputs.dashboards = {
        applicationInsights: link(platform.appInsights.id),
        logs: link(platform.workspace.id, "logs"),
        redis: link(cache.clusterId),
        ...(signalr ? { signalr: link(signalr.id) } : {}),
        ...(frontDoor ? { frontDoor: link(frontDoor.profileId) } : {}),
        ...(aksCluster ? { aks: link(aksCluster.clusterId, "workloads"), prometheus: link(aksCluster.monitorWorkspaceId) } : {}),
        workbook: link(dashboard.workbookId, "workbook"),
    };
    if (loadTesting) outputs.loadTestingId = loadTesting.id;

    return outputs;
}
