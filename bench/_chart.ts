/**
 * The load bench's chart, drawn with Vega-Lite into an SVG file that a
 * Markdown page can show.
 *
 * @module
 */

import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

/** One point of a series: concurrency N and a value. */
export interface Point {
  n: number;
  value: number;
  series: string;
}

/** One panel: a title, a y-axis label and its points. */
export interface Panel {
  title: string;
  yTitle: string;
  points: Point[];
}

/** Renders panels side by side, N on every x axis, as SVG text. */
export async function renderChart(
  title: string,
  panels: Panel[],
): Promise<string> {
  const spec: TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: title, fontSize: 14 },
    config: {
      font: "sans-serif",
      view: { stroke: null },
      legend: { labelLimit: 400 },
    },
    hconcat: panels.map((panel) => ({
      title: panel.title,
      width: 240,
      height: 200,
      data: { values: panel.points },
      mark: { type: "line", point: true },
      encoding: {
        x: {
          field: "n",
          type: "ordinal",
          title: "tasks started at once (N)",
          axis: { labelAngle: 0 },
        },
        y: { field: "value", type: "quantitative", title: panel.yTitle },
        color: {
          field: "series",
          type: "nominal",
          title: null,
          legend: { orient: "bottom", direction: "vertical" },
        },
      },
    })),
    resolve: { scale: { color: "independent" } },
  };
  const view = new vega.View(vega.parse(compile(spec).spec), {
    renderer: "none",
  });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
