/**
 * The regions a stack may name. A name outside these lists is refused by the config schema
 * (stacks/schema/common.ts, stacks/schema/aws.ts), naming the key, before anything is planned:
 * the providers would accept any string and the cloud would only refuse it mid-deployment.
 * Refresh a list (and its date) when the cloud opens a region.
 */

/**
 * Azure public cloud regions, by programmatic name (what `location` takes; `az account
 * list-locations --query [].name`), restricted-access and announced ("coming soon") regions
 * included. Source: "Azure regions list", https://learn.microsoft.com/azure/reliability/regions-list
 * (MicrosoftDocs/reliability-docs articles/reliability/regions-list.md at 01021ab8, page dated
 * 2025-09-23), retrieved 2026-12-08. Sovereign clouds (Azure Government, Azure operated by 21Vianet)
 * are other endpoints and not supported by this program.
 */
export const AZURE_REGIONS_RETRIEVED = "2026-12-08";
export const AZURE_REGIONS = [
    "australiacentral", "australiacentral2", "australiaeast", "australiasoutheast", "austriaeast",
    "belgiumcentral", "brazilsouth", "brazilsoutheast", "canadacentral", "canadaeast",
    "centralindia", "centralus", "chilecentral", "denmarkeast", "eastasia", "eastus", "eastus2",
    "francecentral", "francesouth", "germanynorth", "germanywestcentral", "indonesiacentral",
    "israelcentral", "italynorth", "japaneast", "japanwest", "koreacentral", "koreasouth",
    "malaysiawest", "mexicocentral", "newzealandnorth", "northcentralus", "northeurope",
    "norwayeast", "norwaywest", "polandcentral", "qatarcentral", "southafricanorth",
    "southafricawest", "southcentralus", "southeastasia", "southindia", "spaincentral",
    "swedencentral", "switzerlandnorth", "switzerlandwest", "uaecentral", "uaenorth", "uksouth",
    "ukwest", "westcentralus", "westeurope", "westindia", "westus", "westus2", "westus3",
] as const;

/**
 * AWS regions of the commercial partition (`aws`; the program writes `arn:aws:` ARNs, so China,
 * GovCloud, ISO and the European Sovereign Cloud partitions are not supported), opt-in regions
 * included. Source: the `Region` enum of @pulumi/aws 7.48.0 (types/enums/index.d.ts, the version
 * package.json pins), retrieved 2026-12-08; test/lib/regions.test.ts keeps this list equal to the
 * installed package's.
 */
export const AWS_REGIONS_RETRIEVED = "2026-12-08";
export const AWS_REGIONS = [
    "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
    "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
    "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-central-1",
    "ca-west-1", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2",
    "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1", "me-south-1",
    "mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
] as const;

