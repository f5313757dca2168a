/**
 * How Edgegap splits an app version's `arguments` string into the words that replace an
 * image's CMD: the one splitter the CLI (which builds such strings) and edgegap-local's
 * container runtime (which runs them) share, so the two can never split one string apart.
 */

/** An `arguments` string a POSIX shell could not split (an unclosed quote...). */
export class ArgumentsSyntaxError extends Error {
  override name = 'ArgumentsSyntaxError';
}

/**
 * Split an `arguments` string into words the way a POSIX shell does for the subset Edgegap
 * needs: blanks separate words; `'...'` is literal; `"..."` is literal except `\"`, `\\`, `\$`,
 * `` \` ``; a backslash outside quotes escapes the next character. Throws on an unclosed quote.
 *
 * @example
 * splitArguments(`'--ca-contents' 'a b' run`); // => ['--ca-contents', 'a b', 'run']
 */
export function splitArguments(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new ArgumentsSyntaxError('arguments: unclosed single quote.');
      word += text.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '"') {
      inWord = true;
      for (i++; ; i++) {
        if (i >= text.length) throw new ArgumentsSyntaxError('arguments: unclosed double quote.');
        const d = text[i] as string;
        if (d === '"') break;
        const next = text[i + 1];
        if (d === '\\' && next !== undefined && '"\\$`'.includes(next)) {
          word += next;
          i++;
        } else word += d;
      }
    } else if (c === '\\') {
      const next = text[i + 1];
      if (next === undefined) throw new ArgumentsSyntaxError('arguments: trailing backslash.');
      if (next !== '\n') word += next;
      inWord = true;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}
