import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import type { Columns } from "./series";

/**
 * The one uPlot wrapper: the chart is created once per `shape` (series count, units), then fed with
 * setData and resized with setSize; destroyed on unmount. A live refresh keeps the user's zoom: the x
 * scale is set back to the window only when the window itself changes.
 */
export function UPlotChart(props: {
  shape: string;
  options: (width: number) => uPlot.Options;
  data: Columns;
  window: [number, number];
  /** what the user asked to see (period, end date…): a change resets the zoom, the clock moving on does not */
  view: string;
  height: number;
  label: string;
  onChart?: (chart: uPlot | null) => void;
  /** journal entries drawn as dashed vertical lines (unix seconds) */
  markers?: readonly number[];
}) {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const shownWindow = useRef<string>("");
  const zoomed = useRef(false);
  const latest = useRef(props);
  latest.current = props;

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const width = Math.max(280, el.clientWidth);
    const options = props.options(width);
    options.hooks = {
      ...options.hooks,
      setSelect: [
        ...(options.hooks?.setSelect ?? []),
        () => {
          zoomed.current = true;
        },
      ],
      draw: [
        ...(options.hooks?.draw ?? []),
        (u: uPlot) => {
          const marks = latest.current.markers ?? [];
          if (marks.length === 0) return;
          const ctx = u.ctx;
          ctx.save();
          ctx.strokeStyle = "#8a5a00";
          ctx.fillStyle = "#8a5a00";
          ctx.lineWidth = 1.5 * uPlot.pxRatio;
          ctx.setLineDash([4 * uPlot.pxRatio, 3 * uPlot.pxRatio]);
          for (const t of marks) {
            const x = u.valToPos(t, "x", true);
            if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
            ctx.beginPath();
            ctx.moveTo(x, u.bbox.top);
            ctx.lineTo(x, u.bbox.top + u.bbox.height);
            ctx.stroke();
            // a small triangle on top: the entry's flag
            const s = 5 * uPlot.pxRatio;
            ctx.beginPath();
            ctx.moveTo(x - s, u.bbox.top);
            ctx.lineTo(x + s, u.bbox.top);
            ctx.lineTo(x, u.bbox.top + s * 1.4);
            ctx.fill();
          }
          ctx.restore();
        },
      ],
    };
    const u = new uPlot(options, props.data as uPlot.AlignedData, el);
    chart.current = u;
    shownWindow.current = "";
    zoomed.current = false;
    props.onChart?.(u);
    const observer = new ResizeObserver(() => {
      const w = Math.max(280, el.clientWidth);
      if (Math.abs(w - u.width) > 1) u.setSize({ width: w, height: latest.current.height });
    });
    observer.observe(el);
    const reset = () => {
      zoomed.current = false;
      u.setScale("x", { min: latest.current.window[0], max: latest.current.window[1] });
    };
    u.over.addEventListener("dblclick", reset);
    return () => {
      observer.disconnect();
      u.destroy();
      chart.current = null;
      props.onChart?.(null);
    };
  }, [props.shape]);

  useEffect(() => {
    const u = chart.current;
    if (!u) return;
    const moved = props.view !== shownWindow.current;
    u.setData(props.data as uPlot.AlignedData, false);
    if (moved || !zoomed.current) {
      zoomed.current = false;
      u.setScale("x", { min: props.window[0], max: props.window[1] });
    } else u.redraw(false, true);
    shownWindow.current = props.view;
  }, [props.data, props.shape, props.markers]);

  return <div class="uplot-host" ref={host} role="img" aria-label={props.label} />;
}
