/**
 * Prometheus rules for the Kubernetes tier on any cluster (kube-state-metrics series), used by
 * the Azure managed Prometheus rule groups and the AWS Managed Prometheus rules alike.
 */

/** PromQL: an HPA of the namespace has been at its ceiling (used with `for`). */
export function hpaAtMaxExpression(namespace: string): string {
    const sel = `{namespace=${JSON.stringify(namespace)}}`;
    return `kube_horizontalpodautoscaler_status_current_replicas${sel} >= on(namespace, horizontalpodautoscaler) kube_horizontalpodautoscaler_spec_max_replicas${sel}`;
}
