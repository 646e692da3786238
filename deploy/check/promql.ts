/**
 * PromQL expressions: parsed with Prometheus's own lezer grammar (the one its web UI uses), and the metric
 * names they select extracted so they can be compared with what the code exports.
 */
import { parser } from '@prometheus-io/lezer-promql';

/** A parsed expression: its syntax errors (empty when it parses), the metric names and the jobs it selects. */
export interface ParsedExpression {
  errors: string[];
  metrics: string[];
  /** Values of `job` matchers (`=` and the alternatives of a plain `=~` list). */
  jobs: string[];
}

/** Grafana's variables become values PromQL accepts, so dashboard queries parse as Prometheus will see them. */
export function substituteGrafanaVariables(expression: string): string {
  return expression.replace(/\$__(rate_)?interval|\$__range/g, '5m').replace(/\$\{?(\w+)\}?/g, 'var_$1');
}

/** Parses one expression. */
export function parsePromQL(expression: string): ParsedExpression {
  const tree = parser.parse(expression);
  const errors: string[] = [];
  const metrics = new Set<string>();
  const jobs = new Set<string>();
  tree.iterate({
    enter(node) {
      if (node.type.isError) {
        errors.push(
          `syntax error at offset ${node.from}: ${JSON.stringify(expression.slice(node.from, node.from + 20))}`,
        );
      }
      if (node.name === 'VectorSelector') {
        const identifier = node.node.getChild('Identifier');
        if (identifier) metrics.add(expression.slice(identifier.from, identifier.to));
        // {__name__="metric"} selects by name too.
        const byName = /__name__\s*=\s*"([^"]+)"/.exec(expression.slice(node.from, node.to));
        if (byName?.[1]) metrics.add(byName[1]);
      }
      if (node.name === 'UnquotedLabelMatcher') {
        const matcher = /^job\s*(=~|=)\s*"([^"]*)"$/.exec(expression.slice(node.from, node.to));
        const [, operator, value] = matcher ?? [];
        if (operator === '=' && value) jobs.add(value);
        if (operator === '=~' && value && /^[\w|-]+$/.test(value)) for (const job of value.split('|')) jobs.add(job);
      }
    },
  });
  if (expression.trim() === '') errors.push('empty expression');
  return { errors, metrics: [...metrics].sort(), jobs: [...jobs].sort() };
}
