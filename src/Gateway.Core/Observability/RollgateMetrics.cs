using Prometheus;

namespace Rollgate.Observability;

/// <summary>The gateway's Prometheus metrics (docs/metrics.md). Static, as prometheus-net intends; hot paths cache label children.</summary>
public static class RollgateMetrics
{
    /// <summary>Agent calls range from a cached 10 ms answer to a minute-long tool-using completion.</summary>
    public static readonly double[] LatencyBuckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60];

    public static readonly Counter Requests = Metrics.CreateCounter(
        "rollgate_requests_total", "Requests proxied to agent versions, by outcome: success, error (a backend fault) or canceled (by the client).",
        new CounterConfiguration { LabelNames = ["agent", "version", "role", "outcome"] });

    public static readonly Histogram RequestDuration = Metrics.CreateHistogram(
        "rollgate_request_duration_seconds", "Time to the last byte of the response, per agent version.",
        new HistogramConfiguration { LabelNames = ["agent", "version", "role"], Buckets = LatencyBuckets });

    public static readonly Counter CostUsd = Metrics.CreateCounter(
        "rollgate_cost_usd_total", "Model cost in USD attributed to each agent version.",
        new CounterConfiguration { LabelNames = ["agent", "version"] });

    public static readonly Counter Tokens = Metrics.CreateCounter(
        "rollgate_tokens_total", "Model tokens per agent version.",
        new CounterConfiguration { LabelNames = ["agent", "version", "kind"] });

    public static readonly Counter TaskOutcomes = Metrics.CreateCounter(
        "rollgate_task_outcomes_total", "Task outcomes reported per agent version.",
        new CounterConfiguration { LabelNames = ["agent", "version", "outcome"] });

    public static readonly Counter ModelRequests = Metrics.CreateCounter(
        "rollgate_model_requests_total", "Calls of managed agents to model endpoints, by the model called and the outcome: success, error or circuit_open.",
        new CounterConfiguration { LabelNames = ["agent", "version", "model", "outcome"] });

    public static readonly Counter Fallbacks = Metrics.CreateCounter(
        "rollgate_fallbacks_total", "Times a managed agent's request moved on from a failed model to the next fallback.",
        new CounterConfiguration { LabelNames = ["agent", "version", "from", "to"] });

    public static readonly Counter GuardrailBlocks = Metrics.CreateCounter(
        "rollgate_guardrail_blocks_total", "Requests (stage input) and answers (stage output) the gateway's guardrails blocked.",
        new CounterConfiguration { LabelNames = ["agent", "version", "stage"] });

    public static readonly Counter JudgeRequests = Metrics.CreateCounter(
        "rollgate_judge_requests_total",
        "Sampled answers sent for judging, by outcome: scored, failed, unparseable, dropped (queue full), over_budget or skipped (no text).",
        new CounterConfiguration { LabelNames = ["agent", "version", "outcome"] });

    public static readonly Counter JudgeCost = Metrics.CreateCounter(
        "rollgate_judge_cost_usd_total", "What the agent's judge calls cost in USD, priced at the judge's pricing.",
        new CounterConfiguration { LabelNames = ["agent"] });

    public static readonly Histogram QualityScore = Metrics.CreateHistogram(
        "rollgate_quality_score", "Judge scores (0 to 1) of each version's sampled answers.",
        new HistogramConfiguration { LabelNames = ["agent", "version"], Buckets = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1] });

    public static readonly Gauge CanaryPercent = Metrics.CreateGauge(
        "rollgate_canary_percent", "Share of traffic sent to the canary version.",
        new GaugeConfiguration { LabelNames = ["agent"] });

    public static readonly Gauge ActiveVersion = Metrics.CreateGauge(
        "rollgate_active_version", "Version number serving each role (absent when no version has the role).",
        new GaugeConfiguration { LabelNames = ["agent", "role"] });

    public static readonly Counter Rollbacks = Metrics.CreateCounter(
        "rollgate_rollbacks_total", "Rollbacks by trigger.",
        new CounterConfiguration { LabelNames = ["agent", "trigger"] });

    public static readonly Histogram RollbackApply = Metrics.CreateHistogram(
        "rollgate_rollback_apply_seconds", "Time from a rollback decision to routing by it on the replica that decided.",
        new HistogramConfiguration { LabelNames = ["agent"], Buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1] });

    public static readonly Histogram RollbackDetect = Metrics.CreateHistogram(
        "rollgate_rollback_detect_seconds", "For rollbacks a rule caused: time from the rule's condition first holding to the decision.",
        new HistogramConfiguration { LabelNames = ["agent", "trigger"], Buckets = [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800] });

    public static readonly Gauge RuleFiring = Metrics.CreateGauge(
        "rollgate_rule_firing", "1 while a rule's condition fires, else 0.",
        new GaugeConfiguration { LabelNames = ["agent", "action", "rule"] });

    public static readonly Gauge AgentStatus = Metrics.CreateGauge(
        "rollgate_agent_status", "1 for the release status this replica routes the agent by, 0 for the other statuses.",
        new GaugeConfiguration { LabelNames = ["agent", "status"] });

    public static readonly Gauge DrillLastSuccess = Metrics.CreateGauge(
        "rollgate_drill_last_success_timestamp_seconds", "When the agent's last rollback drill that passed ended, in Unix seconds.",
        new GaugeConfiguration { LabelNames = ["agent"] });

    public static readonly Gauge ConfigGeneration = Metrics.CreateGauge(
        "rollgate_config_generation", "Generation of the agent's release state this replica routes by.",
        new GaugeConfiguration { LabelNames = ["agent"] });

    public static readonly Gauge ToolCircuitState = Metrics.CreateGauge(
        "rollgate_tool_circuit_state", "State of each tool's circuit on this replica: 0 closed, 1 half-open, 2 open.",
        new GaugeConfiguration { LabelNames = ["tool"] });

    public static readonly Counter ToolRequests = Metrics.CreateCounter(
        "rollgate_tool_requests_total",
        "Tool calls through the gateway, by outcome (success, error, canceled, rejected while the circuit was open) and the agent version that made them (empty when unknown).",
        new CounterConfiguration { LabelNames = ["tool", "outcome", "agent", "version"] });

    public static readonly Histogram ToolRequestDuration = Metrics.CreateHistogram(
        "rollgate_tool_request_duration_seconds", "Time to the last byte of a tool's answer.",
        new HistogramConfiguration { LabelNames = ["tool"], Buckets = LatencyBuckets });

    public static readonly Counter ToolsWithheld = Metrics.CreateCounter(
        "rollgate_tools_withheld_total", "Tools left out of a managed agent's model request because their circuit was open.",
        new CounterConfiguration { LabelNames = ["agent", "version", "tool"] });
}
