// Text from a provider or a file, made safe for a terminal: control characters become visible escapes.
// A terminal obeys ESC sequences (ECMA-48): an OSC can set the window title or write the clipboard, a
// CSI can clear the screen or move the cursor over what we printed. C1 controls (U+0080-U+009F) act as
// ESC+letter on some terminals, and bidi overrides reorder what is shown (CVE-2021-42574).

// C0 except tab and newline, DEL, C1, and the bidi embedding/override/isolate characters.
const CONTROLS_KEEP_NEWLINE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
// The same plus tab and newline: for one value inside our own line.
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

const escape = (char: string): string => {
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
};

/** Our own text as printed: every control character but newline and tab is shown as `\xNN` (the last pass before stderr). */
export function terminalText(text: string): string {
  return text.replace(CONTROLS_KEEP_NEWLINE, escape);
}

/** A provider- or file-controlled value for one line of our text: every control character, newline included, as `\xNN`. */
export function terminalLine(text: string): string {
  return text.replace(CONTROLS, escape);
}
