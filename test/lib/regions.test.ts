import * as assert from "assert";
import { AWS_REGIONS } from "../../lib/regions";

describe("region lists", () => {
    it("the AWS list is the commercial partition of the Region enum of the @pulumi/aws we pin", () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { Region } = require("@pulumi/aws/types/enums") as { Region: Record<string, string> };
        // Other partitions: China (cn-), GovCloud (us-gov-), ISO (-iso*-), European Sovereign Cloud (eusc-).
        const commercial = Object.values(Region).filter((r) => !/^(cn-|us-gov-|eusc-)|-iso[a-z]*-/.test(r)).sort();
        assert.deepStrictEqual([...AWS_REGIONS].sort(), commercial);
    });
});
