/**
 * The little XML that REST-XML request bodies need: elements, attributes skipped, text with the
 * five predefined entities and numeric references. No DTDs or external entities are read, so
 * a request body cannot make fedgate fetch or expand anything.
 */

/** One parsed element: its local name, child elements and concatenated text. */
export interface XmlElement {
  readonly name: string;
  readonly children: XmlElement[];
  text: string;
}

/** Thrown for anything that is not well-formed (as far as this reader checks). */
export class XmlSyntaxError extends Error {}

const MAX_DEPTH = 64;

/** Parses a document and answers its root element. */
export function parseXml(text: string): XmlElement {
  const reader = new Reader(text);
  reader.skipProlog();
  const root = reader.element(0);
  reader.skipMisc();
  if (!reader.atEnd()) throw new XmlSyntaxError('content after the root element');
  return root;
}

class Reader {
  private at = 0;

  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.at >= this.text.length;
  }

  skipProlog(): void {
    this.skipMisc();
    if (this.text.startsWith('<!DOCTYPE', this.at)) throw new XmlSyntaxError('DTDs are refused');
  }

  /** Whitespace, comments and processing instructions (the XML declaration among them). */
  skipMisc(): void {
    for (;;) {
      while (/\s/.test(this.text.charAt(this.at))) this.at += 1;
      if (this.text.startsWith('<?', this.at)) this.skipPast('?>');
      else if (this.text.startsWith('<!--', this.at)) this.skipPast('-->');
      else return;
    }
  }

  element(depth: number): XmlElement {
    if (depth > MAX_DEPTH) throw new XmlSyntaxError('elements nested too deeply');
    const open =
      /^<([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/.exec(
        this.text.slice(this.at, this.at + 4096),
      );
    if (!open) throw new XmlSyntaxError('expected a start tag');
    this.at += open[0].length;

    const element: XmlElement = { name: localName(open[1] ?? ''), children: [], text: '' };
    if (open[3] === '/') return element;
    this.content(element, open[1] ?? '', depth);
    return element;
  }

  private content(element: XmlElement, tag: string, depth: number): void {
    for (;;) {
      const lt = this.text.indexOf('<', this.at);
      if (lt < 0) throw new XmlSyntaxError(`unclosed element ${tag}`);
      element.text += decodeText(this.text.slice(this.at, lt));
      this.at = lt;

      if (this.text.startsWith(`</${tag}`, this.at)) {
        const close = /^<\/[^>]*?\s*>/.exec(this.text.slice(this.at, this.at + tag.length + 64));
        if (!close || close[0].replace(/\s/g, '') !== `</${tag}>`) {
          throw new XmlSyntaxError(`mismatched end tag for ${tag}`);
        }
        this.at += close[0].length;
        return;
      }
      if (this.text.startsWith('<!--', this.at) || this.text.startsWith('<?', this.at)) {
        this.skipMisc();
      } else if (this.text.startsWith('<![CDATA[', this.at)) {
        const end = this.text.indexOf(']]>', this.at);
        if (end < 0) throw new XmlSyntaxError('unclosed CDATA section');
        element.text += this.text.slice(this.at + 9, end);
        this.at = end + 3;
      } else {
        element.children.push(this.element(depth + 1));
      }
    }
  }

  private skipPast(end: string): void {
    const found = this.text.indexOf(end, this.at);
    if (found < 0) throw new XmlSyntaxError(`missing ${end}`);
    this.at = found + end.length;
  }
}

function localName(tag: string): string {
  return tag.slice(tag.indexOf(':') + 1);
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeText(raw: string): string {
  return raw.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (whole, name: string) => {
    if (name.startsWith('#x')) return codePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return codePoint(parseInt(name.slice(1), 10));
    const entity = ENTITIES[name];
    if (entity === undefined) throw new XmlSyntaxError(`unknown entity ${whole}`);
    return entity;
  });
}

function codePoint(value: number): string {
  if (!(value > 0 && value <= 0x10ffff)) throw new XmlSyntaxError('bad character reference');
  return String.fromCodePoint(value);
}

/** Escapes text for an XML element body or attribute value. */
export function escapeXmlText(text: string): string {
  return text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c] ?? c);
}

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};
