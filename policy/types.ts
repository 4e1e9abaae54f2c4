/**
 * The resource types the catalogue checks, typed against the provider SDKs' `.d.ts` files
 * (type-only imports: nothing here loads a provider SDK at run time).
 */
import type * as app from "@pulumi/azure-native/app";
import type * as authorization from "@pulumi/azure-native/authorization";
import type * as cdn from "@pulumi/azure-native/cdn";
import type * as containerregistry from "@pulumi/azure-native/containerregistry";
import type * as containerservice from "@pulumi/azure-native/containerservice";
import type * as dbforpostgresql from "@pulumi/azure-native/dbforpostgresql";
import type * as keyvault from "@pulumi/azure-native/keyvault";
import type * as network from "@pulumi/azure-native/network";
import type * as redis from "@pulumi/azure-native/redis";
import type * as redisenterprise from "@pulumi/azure-native/redisenterprise";
import type * as signalrservice from "@pulumi/azure-native/signalrservice";
import type * as storage from "@pulumi/azure-native/storage";
import type * as cloudflare from "@pulumi/cloudflare";
import type * as k8s from "@pulumi/kubernetes";
import { resourceType } from "./common";

export const ContainerApp = resourceType<typeof app.ContainerApp>("azure-native:app:ContainerApp");
export const ManagedEnvironment = resourceType<typeof app.ManagedEnvironment>("azure-native:app:ManagedEnvironment");
export const RoleAssignment = resourceType<typeof authorization.RoleAssignment>("azure-native:authorization:RoleAssignment");
export const FrontDoorRoute = resourceType<typeof cdn.Route>("azure-native:cdn:Route");
export const Registry = resourceType<typeof containerregistry.Registry>("azure-native:containerregistry:Registry");
export const ManagedCluster = resourceType<typeof containerservice.ManagedCluster>("azure-native:containerservice:ManagedCluster");
export const AgentPool = resourceType<typeof containerservice.AgentPool>("azure-native:containerservice:AgentPool");
export const PostgresServer = resourceType<typeof dbforpostgresql.Server>("azure-native:dbforpostgresql:Server");
export const PostgresConfiguration = resourceType<typeof dbforpostgresql.Configuration>("azure-native:dbforpostgresql:Configuration");
export const KeyVault = resourceType<typeof keyvault.Vault>("azure-native:keyvault:Vault");
export const PrivateEndpoint = resourceType<typeof network.PrivateEndpoint>("azure-native:network:PrivateEndpoint");
export const RedisCache = resourceType<typeof redis.Redis>("azure-native:redis:Redis");
export const ManagedRedis = resourceType<typeof redisenterprise.RedisEnterprise>("azure-native:redisenterprise:RedisEnterprise");
export const ManagedRedisDatabase = resourceType<typeof redisenterprise.Database>("azure-native:redisenterprise:Database");
export const SignalR = resourceType<typeof signalrservice.SignalR>("azure-native:signalrservice:SignalR");
export const StorageAccount = resourceType<typeof storage.StorageAccount>("azure-native:storage:StorageAccount");
export const BlobServiceProperties = resourceType<typeof storage.BlobServiceProperties>("azure-native:storage:BlobServiceProperties");
export const BlobContainer = resourceType<typeof storage.BlobContainer>("azure-native:storage:BlobContainer");
export const CloudflareZone = resourceType<typeof cloudflare.Zone>("cloudflare:index/zone:Zone");
export const CloudflareZoneSetting = resourceType<typeof cloudflare.ZoneSetting>("cloudflare:index/zoneSetting:ZoneSetting");
export const CloudflareRuleset = resourceType<typeof cloudflare.Ruleset>("cloudflare:index/ruleset:Ruleset");
export const Deployment = resourceType<typeof k8s.apps.v1.Deployment>("kubernetes:apps/v1:Deployment");
export const HorizontalPodAutoscaler = resourceType<typeof k8s.autoscaling.v2.HorizontalPodAutoscaler>("kubernetes:autoscaling/v2:HorizontalPodAutoscaler");
export const PodDisruptionBudget = resourceType<typeof k8s.policy.v1.PodDisruptionBudget>("kubernetes:policy/v1:PodDisruptionBudget");
