/**
 * The digest's chart: daily cost beyond threshold as a bar chart, drawn by
 * echarts' server-side SVG renderer and turned into a PNG by resvg
 * (WebAssembly), so Slack can show it inline. No pixels are drawn by hand.
 * Hours at an unknown price are not in the bars (an unknown price is never
 * $0); the subtitle says how many there were.
 */
import { initWasm, Resvg } from '@resvg/resvg-wasm';
import { BarChart } from 'echarts/charts';
import { GridComponent, TitleComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import type { DigestDay } from '../../core/digest.js';
import { formatHours, formatUsd } from '../../core/digestText.js';

echarts.use([BarChart, GridComponent, TitleComponent, SVGRenderer]);

/** The renderer's WebAssembly module and the font its text is set in. */
export interface ChartAssets {
  wasm: () => Promise<Uint8Array | ArrayBuffer>;
  font: () => Promise<Uint8Array>;
}

export const CHART_WIDTH = 800;
export const CHART_HEIGHT = 320;
const FONT_FAMILY = 'DejaVu Sans';

/** The WebAssembly module is initialised once per process; initWasm throws if called twice. */
let wasmReady: Promise<void> | undefined;
let fontBytes: Promise<Uint8Array> | undefined;

/** The chart as SVG text (echarts' SSR output). */
export function dailyCostSvg(daily: readonly DigestDay[], title: string): string {
  const unpriced = daily.reduce((sum, d) => sum + d.cost.unpricedHours, 0);
  const chart = echarts.init(null, null, {
    renderer: 'svg',
    ssr: true,
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
  });
  try {
    chart.setOption({
      animation: false,
      backgroundColor: '#ffffff',
      textStyle: { fontFamily: FONT_FAMILY },
      title: {
        text: title,
        subtext: unpriced > 0 ? `plus ${formatHours(unpriced)} at unknown price, not shown` : '',
        left: 'center',
        textStyle: { fontFamily: FONT_FAMILY, fontSize: 16 },
        subtextStyle: { fontFamily: FONT_FAMILY },
      },
      grid: { left: 70, right: 20, top: unpriced > 0 ? 70 : 50, bottom: 40 },
      xAxis: { type: 'category', data: daily.map((d) => d.day.slice(5)) },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => formatUsd(v) } },
      series: [
        {
          type: 'bar',
          data: daily.map((d) => Math.round((d.cost.usd ?? 0) * 100) / 100),
          itemStyle: { color: '#d9534f' },
          label: {
            show: true,
            position: 'top',
            formatter: (p: { value: number }) => (p.value > 0 ? formatUsd(p.value) : ''),
          },
        },
      ],
    });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/** The chart as PNG bytes. */
export async function dailyCostPng(
  daily: readonly DigestDay[],
  title: string,
  assets: ChartAssets,
): Promise<Uint8Array> {
  wasmReady ??= assets.wasm().then((bytes) => initWasm(bytes));
  fontBytes ??= assets.font();
  try {
    await wasmReady;
  } catch (err) {
    wasmReady = undefined;
    throw err;
  }
  const resvg = new Resvg(dailyCostSvg(daily, title), {
    font: { fontBuffers: [await fontBytes], defaultFontFamily: FONT_FAMILY, sansSerifFamily: FONT_FAMILY },
    fitTo: { mode: 'original' },
  });
  const image = resvg.render();
  try {
    return image.asPng();
  } finally {
    image.free();
    resvg.free();
  }
}
