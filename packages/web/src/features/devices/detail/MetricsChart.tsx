// Live CPU / memory chart of one device (uPlot on a canvas): the last hour from
// GET /api/devices/:guid/metrics?minutes=60, extended by the `device_metrics` socket events the
// engine emits on every heartbeat. Loaded lazily so the device list never pays for uPlot.
import { DeviceMetricsEventSchema, type MetricPoint } from '@borealis/protocol';
import { Group, Text, Title } from '@mantine/core';
import { useEffect, useMemo, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useRealtimeEvent } from '../../../api/realtime';
import { useDeviceMetrics } from '../useDevices';

const WINDOW_MINUTES = 60;
const MIN_SPAN_SECONDS = 10 * 60;
const HEIGHT = 240;
const AXIS = '#8f9bb8';
const GRID = 'rgba(125, 211, 252, 0.08)';

/**
 * Up to the last hour of data, never narrower than ten minutes (seconds, as uPlot's x). Taken
 * from the data itself: uPlot widens a single point's min/max on its own, which would hide it.
 */
function timeRange(u: uPlot): uPlot.Range.MinMax {
  const xs = u.data[0];
  const hi = xs.length > 0 ? xs[xs.length - 1]! : Date.now() / 1000;
  const lo = Math.max(xs.length > 0 ? xs[0]! : hi, hi - WINDOW_MINUTES * 60);
  return [Math.min(lo, hi - MIN_SPAN_SECONDS), hi + 30];
}

function chartOptions(width: number): uPlot.Options {
  const pct = (_u: uPlot, v: number | null) => (v === null ? '—' : `${v.toFixed(1)}%`);
  return {
    width,
    height: HEIGHT,
    scales: { x: { time: true, range: timeRange }, y: { range: [0, 100] } },
    axes: [
      { stroke: AXIS, grid: { stroke: GRID }, ticks: { stroke: GRID } },
      {
        stroke: AXIS,
        grid: { stroke: GRID },
        ticks: { stroke: GRID },
        values: (_u, splits) => splits.map((v) => `${v}%`),
        size: 52,
      },
    ],
    series: [
      {},
      { label: 'CPU', stroke: '#7dd3fc', fill: 'rgba(125, 211, 252, 0.12)', width: 2, value: pct },
      {
        label: 'Memory',
        stroke: '#c084fc',
        fill: 'rgba(192, 132, 252, 0.10)',
        width: 2,
        value: pct,
      },
    ],
    legend: { live: true },
    cursor: { drag: { x: false, y: false } },
  };
}

function toData(points: MetricPoint[]): uPlot.AlignedData {
  return [
    points.map((p) => p.ts / 1000),
    points.map((p) => p.cpu_percent),
    points.map((p) => p.memory_percent),
  ];
}

export default function MetricsChart({ guid }: { guid: string }) {
  const history = useDeviceMetrics(guid, WINDOW_MINUTES);
  const [live, setLive] = useState<MetricPoint[]>([]);
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useRealtimeEvent('device_metrics', DeviceMetricsEventSchema, (e) => {
    if (e.guid !== guid) return;
    const point = { ts: e.ts, cpu_percent: e.cpu_percent, memory_percent: e.memory_percent };
    setLive((prev) => [...prev.slice(-500), point]);
  });

  const points = useMemo(() => {
    const base = history.data?.points ?? [];
    const lastTs = base.at(-1)?.ts ?? 0;
    const merged = [...base, ...live.filter((p) => p.ts > lastTs)];
    const since = (merged.at(-1)?.ts ?? 0) - WINDOW_MINUTES * 60_000;
    return merged.filter((p) => p.ts >= since);
  }, [history.data, live]);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const chart = new uPlot(chartOptions(Math.max(200, el.clientWidth)), toData([]), el);
    plot.current = chart;
    const observer = new ResizeObserver(() => {
      chart.setSize({ width: Math.max(200, el.clientWidth), height: HEIGHT });
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, []);

  useEffect(() => {
    plot.current?.setData(toData(points));
  }, [points]);

  const latest = points.at(-1);
  return (
    <div className="glass fact-card">
      <Group justify="space-between" align="flex-end" mb="sm">
        <div>
          <Title order={4}>CPU and memory</Title>
          <Text size="xs" c="dimmed">
            Last {WINDOW_MINUTES} minutes, one point per heartbeat; updates live.
          </Text>
        </div>
        <Text size="sm" data-testid="latest-metrics">
          {latest
            ? `CPU ${latest.cpu_percent?.toFixed(1) ?? '—'}% · Memory ${latest.memory_percent?.toFixed(1) ?? '—'}%`
            : ''}
        </Text>
      </Group>
      <div ref={box} className="metrics-chart" aria-label="CPU and memory chart" role="img" />
      {points.length === 0 && !history.isPending && (
        <Text size="sm" c="dimmed" ta="center" mt="xs">
          No heartbeat metrics in the last hour yet.
        </Text>
      )}
    </div>
  );
}
