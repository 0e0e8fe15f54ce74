// Mantine theme: the dark "aurora" look of the original UI (deep navy with blue/violet glows,
// sky/violet/pink accents, 8 px radius) on the system font stack.
import { createTheme, type CSSVariablesResolver, type MantineColorsTuple } from '@mantine/core';

const aurora: MantineColorsTuple = [
  '#ecfaff',
  '#d4f3fe',
  '#b3e9fd',
  '#94defc',
  '#7dd3fc',
  '#5cc6f7',
  '#38b2ec',
  '#1d94cf',
  '#1677a8',
  '#115c82',
];
const orchid: MantineColorsTuple = [
  '#faf3ff',
  '#f0e1fe',
  '#e3c7fd',
  '#d4a8fd',
  '#c084fc',
  '#ae66f5',
  '#9848e6',
  '#7e33c4',
  '#65299c',
  '#4d207a',
];
const rose: MantineColorsTuple = [
  '#fff0f7',
  '#ffdcec',
  '#fdbddb',
  '#f99bc9',
  '#f472b6',
  '#ea519f',
  '#d83686',
  '#b6276c',
  '#911f56',
  '#6d1842',
];
const green: MantineColorsTuple = [
  '#e8fbf3',
  '#c9f5e2',
  '#9bedcb',
  '#66e2b1',
  '#34d399',
  '#1fbe85',
  '#14a06f',
  '#0f805a',
  '#0c6548',
  '#094d37',
];
const orange: MantineColorsTuple = [
  '#fff3e8',
  '#ffe0c7',
  '#fec393',
  '#fda25c',
  '#f97316',
  '#e8620c',
  '#c64f08',
  '#9f3f08',
  '#7f330a',
  '#5f270a',
];
const dark: MantineColorsTuple = [
  '#d5dcec',
  '#b4bfd6',
  '#8f9bb8',
  '#67738f',
  '#3b4663',
  '#273150',
  '#161f3a',
  '#0d1429',
  '#0a0f20',
  '#060a16',
];

export const SYSTEM_FONTS =
  'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif';
export const MONO_FONTS =
  'ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace';

export const theme = createTheme({
  colors: { aurora, orchid, rose, green, orange, dark },
  primaryColor: 'aurora',
  primaryShade: { light: 6, dark: 4 },
  autoContrast: true,
  fontFamily: SYSTEM_FONTS,
  fontFamilyMonospace: MONO_FONTS,
  headings: { fontFamily: SYSTEM_FONTS, fontWeight: '650' },
  defaultRadius: 'md',
  radius: { xs: '4px', sm: '6px', md: '8px', lg: '12px', xl: '16px' },
  defaultGradient: { from: 'aurora.6', to: 'orchid.6', deg: 135 },
  cursorType: 'pointer',
  components: {
    Modal: { defaultProps: { centered: true, overlayProps: { backgroundOpacity: 0.6, blur: 3 } } },
    Tooltip: { defaultProps: { withArrow: true } },
    Table: {
      defaultProps: { verticalSpacing: 'sm', highlightOnHover: true },
      styles: { th: { whiteSpace: 'nowrap' } },
    },
    // Keep short status labels whole inside narrow table cells.
    Badge: { styles: { root: { flexShrink: 0 }, label: { overflow: 'visible' } } },
  },
});

const ACCENTS = ['aurora', 'orchid', 'rose', 'green', 'orange', 'red', 'yellow', 'teal'];

/** Light/subtle variants show the accent itself (shade 4) instead of Mantine 9's near-white text. */
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {},
  dark: Object.fromEntries(
    ACCENTS.map((name) => [
      `--mantine-color-${name}-light-color`,
      `var(--mantine-color-${name}-4)`,
    ]),
  ),
});
