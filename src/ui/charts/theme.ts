// Colours and shared recharts props for the dark, projector-friendly theme.
const METHOD_COLOURS: Record<string, string> = {
  icl: '#8b949e', 'no-rl': '#f0883e', seal: '#3fb950', oracle: '#bc8cff',
  base: '#8b949e', passage: '#39c5cf', own: '#f0883e', reference: '#bc8cff',
  'cpt-base': '#8b949e', 'cpt-passage': '#39c5cf', 'cpt-own': '#f0883e', 'cpt-reference': '#bc8cff', 'cpt-seal': '#3fb950',
  yours: '#f778ba',
};

/** Each method's colour in every chart (a method without its own colour is drawn in the first line colour). */
export const methodColour = (method: string): string => METHOD_COLOURS[method] ?? LINE_COLOURS[0];
export const PAPER_COLOUR = '#3b4a5e';
export const LINE_COLOURS = ['#58a6ff', '#3fb950', '#f0883e', '#bc8cff', '#ff7b72', '#e3b341', '#39c5cf', '#db61a2'];

export const AXIS = { stroke: '#9da7b3', tick: { fill: '#c9d1d9', fontSize: 15 }, tickLine: false } as const;
export const GRID = { stroke: '#30363d', strokeDasharray: '3 3' } as const;
export const TOOLTIP = {
  contentStyle: { background: '#0d1117', border: '1px solid #30363d', borderRadius: 8, color: '#e6edf3', fontSize: 15 },
  labelStyle: { color: '#e6edf3', fontWeight: 600 },
  itemStyle: { color: '#e6edf3' },
  cursor: { fill: 'rgba(88,166,255,0.08)' },
} as const;
export const LEGEND = { wrapperStyle: { fontSize: 15, color: '#c9d1d9' } } as const;
