/**
 * The RDS ReplicaLag alarm against ReplicaLag's documented semantics: on the replica it is
 * `now() - pg_last_xact_replay_timestamp()` (RDS UG, "Monitoring and tuning the replication
 * process"), so an idle source shows a sawtooth that RDS resets at least every five minutes ("the
 * read replica reports a replication lag of up to five minutes", RDS UG, read replica limitations
 * with PostgreSQL); a replica behind a writing source shows its real delay. The series are sampled
 * once a minute (RDS publishes ReplicaLag at one-minute granularity), at every phase against the
 * resets, grouped into CloudWatch's one-minute periods, and judged as CloudWatch
 * judges an alarm: every one of the last `evaluationPeriods` periods breaching (datapointsToAlarm =
 * evaluationPeriods), a period without data not breaching (CloudWatch UG, "Evaluating an alarm",
 * treatMissingData).
 */
import { strict as assert } from "assert";
import { IDLE_SOURCE_LAG_CAP_SECONDS, replicaLagAlarm } from "../../../components/aws/database";

type Alarm = ReturnType<typeof replicaLagAlarm>;

/** ReplicaLag samples over `minutes`, one a minute from `offset` s, from a lag function of time. */
function samples(minutes: number, offset: number, lagAt: (t: number) => number): { t: number; value: number }[] {
    return Array.from({ length: minutes }, (_, i) => {
        const t = offset + i * 60;
        return { t, value: lagAt(t) };
    });
}

/** The minute (CloudWatch period) at which the alarm first fires, or undefined. */
function firesAt(alarm: Alarm, series: { t: number; value: number }[], minutes: number): number | undefined {
    const breaching: boolean[] = [];
    for (let m = 0; m < minutes; m++) {
        const inPeriod = series.filter((s) => s.t >= m * alarm.period && s.t < (m + 1) * alarm.period).map((s) => s.value);
        // Minimum over the period; a period with no sample is not breaching (treatMissingData notBreaching).
        breaching.push(inPeriod.length > 0 && Math.min(...inPeriod) > alarm.threshold);
        const window = breaching.slice(-alarm.evaluationPeriods);
        if (window.length === alarm.evaluationPeriods && window.filter(Boolean).length >= alarm.datapointsToAlarm) return m;
    }
    return undefined;
}

describe("RDS ReplicaLag alarm against ReplicaLag's documented semantics (components/aws/database.ts)", () => {
    const alarm = replicaLagAlarm(60);

    it("keeps the seed's 60 s, judged on each minute's Minimum over 6 periods, missing data not breaching", () => {
        assert.deepEqual(alarm, {
            statistic: "Minimum", comparisonOperator: "GreaterThanThreshold", threshold: 60,
            period: 60, evaluationPeriods: 6, datapointsToAlarm: 6, treatMissingData: "notBreaching",
        });
    });

    // "Up to five minutes" is RDS's wording, not a measured bound: the sweep allows resets 10 % further apart.
    const idleCases = function* () {
        for (let interval = 60; interval <= IDLE_SOURCE_LAG_CAP_SECONDS * 1.1; interval += 5) {
            for (let phase = 0; phase < interval; phase += 0.7) yield { interval, phase, lag: (t: number) => (t + phase) % interval };
        }
    };

    it("stays quiet on an idle source, whatever its reset interval (up to 5 min, and 10 % more) and phase", () => {
        for (const { interval, phase, lag } of idleCases()) {
            assert.equal(firesAt(alarm, samples(120, 30, lag), 120), undefined, `idle source, reset every ${interval} s, phase ${phase} s`);
        }
    });

    it("needs its sixth period: five would page on an idle source whose resets come a little over 5 minutes apart", () => {
        const five = { ...alarm, evaluationPeriods: 5, datapointsToAlarm: 5 };
        const paged = [...idleCases()].filter(({ lag }) => firesAt(five, samples(120, 30, lag), 120) !== undefined);
        assert.ok(paged.length > 0 && paged.every((c) => c.interval > IDLE_SOURCE_LAG_CAP_SECONDS), `${paged.length} idle cases paged`);
    });

    it("fires after 6 minutes for a replica more than 60 s behind a writing source, and not for one 50 s behind", () => {
        // A writing source commits every second: the lag is the replica's real delay.
        assert.equal(firesAt(alarm, samples(30, 20, () => 90), 30), 5, "the sixth one-minute period");
        assert.equal(firesAt(alarm, samples(30, 20, () => 61), 30), 5);
        assert.equal(firesAt(alarm, samples(30, 20, () => 50), 30), undefined);
    });

    it("scales its periods with the threshold: the idle sawtooth's run above it, plus two", () => {
        assert.deepEqual([60, 120, 240, 300, 600].map((t) => replicaLagAlarm(t).evaluationPeriods), [6, 5, 3, 2, 2]);
    });
});
