// The assembly code editor: CodeMirror 6 with syntax highlighting for the assembly's type (bash/sh
// and PowerShell via legacy stream modes, Python, JavaScript for node, YAML for playbooks, JSON for
// workflow graphs) in the dark aurora palette. Loaded lazily (default export) so other pages do
// not download it. Language and read-only switch through compartments without losing the text.
import type { AssemblyType } from '@borealis/protocol';
import { javascript } from '@codemirror/lang-javascript';
import { python } from '@codemirror/lang-python';
import { HighlightStyle, StreamLanguage, syntaxHighlighting } from '@codemirror/language';
import { json } from '@codemirror/legacy-modes/mode/javascript';
import { powerShell } from '@codemirror/legacy-modes/mode/powershell';
import { shell } from '@codemirror/legacy-modes/mode/shell';
import { yaml } from '@codemirror/legacy-modes/mode/yaml';
import { Compartment, EditorState, type Extension } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { tags as t } from '@lezer/highlight';
import { basicSetup } from 'codemirror';
import { useEffect, useEffectEvent, useRef } from 'react';

export interface CodeEditorProps {
  value: string;
  onChange: (value: string) => void;
  type: AssemblyType;
  readOnly: boolean;
  /** Accessible name of the editable area. */
  label: string;
  /** Marks the editor invalid (an error message is shown under it by the caller). */
  invalid?: boolean;
}

const shellLanguage = StreamLanguage.define(shell);
const powerShellLanguage = StreamLanguage.define(powerShell);
const yamlLanguage = StreamLanguage.define(yaml);
const jsonLanguage = StreamLanguage.define(json);

function languageFor(type: AssemblyType): Extension {
  switch (type) {
    case 'bash':
    case 'sh':
      return shellLanguage;
    case 'powershell':
      return powerShellLanguage;
    case 'python3':
      return python();
    case 'node':
      return javascript();
    case 'ansible':
      return yamlLanguage;
    case 'workflow':
      return jsonLanguage;
  }
}

const highlight = HighlightStyle.define([
  { tag: [t.keyword, t.controlKeyword, t.moduleKeyword, t.operatorKeyword], color: '#c084fc' },
  { tag: [t.string, t.special(t.string), t.regexp], color: '#66e2b1' },
  { tag: [t.comment, t.lineComment, t.blockComment], color: '#8f9bb8', fontStyle: 'italic' },
  { tag: [t.number, t.bool, t.atom, t.null], color: '#fda25c' },
  { tag: [t.function(t.variableName), t.function(t.propertyName)], color: '#7dd3fc' },
  { tag: [t.definition(t.variableName), t.special(t.variableName)], color: '#94defc' },
  { tag: [t.variableName], color: '#d5dcec' },
  { tag: [t.propertyName, t.attributeName], color: '#b3e9fd' },
  { tag: [t.typeName, t.className, t.namespace], color: '#e3c7fd' },
  { tag: [t.operator, t.punctuation], color: '#f99bc9' },
  { tag: [t.meta, t.processingInstruction, t.standard(t.variableName)], color: '#fdba74' },
  { tag: t.invalid, color: '#fca5a5' },
]);

const theme = EditorView.theme(
  {
    '&': {
      color: '#d5dcec',
      backgroundColor: 'rgba(3, 6, 15, 0.85)',
      fontSize: '0.85rem',
      border: '1px solid rgba(125, 211, 252, 0.14)',
      borderRadius: '8px',
      minHeight: '320px',
      maxHeight: '70vh',
    },
    '&.cm-focused': { outline: '1px solid rgba(125, 211, 252, 0.45)' },
    '&.borealis-invalid': { borderColor: 'var(--mantine-color-error)' },
    '.cm-scroller': {
      fontFamily: 'var(--mantine-font-family-monospace)',
      lineHeight: '1.5',
      overflow: 'auto',
    },
    '.cm-content': { caretColor: '#7dd3fc', minHeight: '320px' },
    '.cm-cursor, .cm-dropCursor': { borderLeftColor: '#7dd3fc' },
    '&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, ::selection':
      { backgroundColor: 'rgba(125, 211, 252, 0.22)' },
    '.cm-gutters': {
      backgroundColor: 'rgba(6, 10, 22, 0.9)',
      color: '#67738f',
      border: 'none',
      borderRight: '1px solid rgba(125, 211, 252, 0.1)',
      borderRadius: '8px 0 0 8px',
    },
    '.cm-activeLine': { backgroundColor: 'rgba(125, 211, 252, 0.05)' },
    '.cm-activeLineGutter': { backgroundColor: 'rgba(125, 211, 252, 0.08)', color: '#b4bfd6' },
    '.cm-matchingBracket': { backgroundColor: 'rgba(192, 132, 252, 0.25)', outline: 'none' },
    '.cm-tooltip': { backgroundColor: '#0d1429', border: '1px solid rgba(125, 211, 252, 0.2)' },
    '.cm-panels': { backgroundColor: '#0d1429', color: '#d5dcec' },
  },
  { dark: true },
);

export default function CodeEditor(props: CodeEditorProps) {
  const { value, onChange, type, readOnly, label, invalid } = props;
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const language = useRef(new Compartment());
  const editable = useRef(new Compartment());
  const emit = useEffectEvent((text: string) => onChange(text));
  const initial = useEffectEvent(() => ({ value, type, readOnly, label }));

  // Create the view once; later prop changes are applied by the effects below.
  useEffect(() => {
    const start = initial();
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: start.value,
        extensions: [
          basicSetup,
          theme,
          syntaxHighlighting(highlight),
          EditorView.lineWrapping,
          EditorView.contentAttributes.of({ 'aria-label': start.label }),
          language.current.of(languageFor(start.type)),
          editable.current.of([
            EditorState.readOnly.of(start.readOnly),
            EditorView.editable.of(!start.readOnly),
          ]),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) emit(u.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
  }, []);

  useEffect(() => {
    view.current?.dispatch({ effects: language.current.reconfigure(languageFor(type)) });
  }, [type]);

  useEffect(() => {
    view.current?.dispatch({
      effects: editable.current.reconfigure([
        EditorState.readOnly.of(readOnly),
        EditorView.editable.of(!readOnly),
      ]),
    });
  }, [readOnly]);

  // A value set from outside (e.g. a reset) replaces the text; typing round-trips unchanged.
  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value) {
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
    }
  }, [value]);

  useEffect(() => {
    view.current?.dom.classList.toggle('borealis-invalid', invalid === true);
  }, [invalid]);

  return <div ref={host} data-testid="code-editor" data-language={type} />;
}
