/** The advisory lock id the rehearsal takes: any id will do; Marten and Wolverine use their own, configurable ones. */
export const REHEARSAL_LOCK_ID = 40_042_026;
