// The app's generated secrets (JWT signing key, seeded admin password) in Secrets Manager; the pods get them as a Kubernetes Secret.
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as random from "@pulumi/random";
import { appSecretEntries, secretGenerator } from "../appSecrets";
import type { SecretSetting } from "../wiring";

export interface AwsAppSecretsArgs {
    /** Secret names start with it (`<prefix>/<entry>-`), so an operator finds them next to the stack's other secrets. */
    namePrefix: string;
    tags: Record<string, string>;
}

/** One generated value per secret entry of the app's contract, each with a Secrets Manager copy for operators. */
export class AwsAppSecrets extends pulumi.ComponentResource {
    /** `Jwt__SecretKey`, `Seeding__AdminPassword` → value (secret). */
    readonly settings: Record<string, SecretSetting> = {};

    constructor(name: string, args: AwsAppSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookstore:aws:AppSecrets", name, {}, opts);
        const child = { parent: this };
        for (const entry of appSecretEntries()) {
            const value = pulumi.secret(new random.RandomPassword(`${name}-${entry.id}`, secretGenerator(entry), child).result);
            const secret = new aws.secretsmanager.Secret(`${name}-${entry.id}`, {
                namePrefix: `${args.namePrefix}/${entry.id}-`, description: `BookStore ${entry.env}`, recoveryWindowInDays: 30, tags: args.tags,
            }, child);
            new aws.secretsmanager.SecretVersion(`${name}-${entry.id}`, { secretId: secret.id, secretString: value }, child);
            this.settings[entry.env] = { value };
        }
        this.registerOutputs({ settings: Object.keys(this.settings) });
    }
}
