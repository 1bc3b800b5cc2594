//! The user's own data as CSV text.
//!
//! Format (a small, strict subset of RFC 4180, <https://www.rfc-editor.org/rfc/rfc4180>):
//! - Lines end with `\n`, `\r\n` or `\r`; a leading UTF-8 byte order mark is ignored; blank lines
//!   (also lines of only spaces) are skipped; line numbers count every line from 1, blank ones
//!   included, so that they match the user's editor.
//! - Fields are separated by commas, and spaces around a field are ignored. Quoting is not
//!   supported (numbers need none).
//! - The first non-blank line is a header, and is skipped, when none of its fields is a number
//!   (`x,y` or `"x1","x2","label"`).
//! - Every data line has either 2 numbers, x,y (a regression set, input_dim 1, target y), or
//!   3 numbers, x1,x2,label (a classification set, input_dim 2). The first line with 2 or 3 fields
//!   (the header, if there is one) fixes the column count for the whole file.
//! - Numbers are Rust's `f64` syntax (`-1.5`, `2e-3`, `.5`) and must be finite (`nan`, `inf` and
//!   `1e999` are rejected).
//! - Labels are 0 and 1, or -1 and 1, in any spelling of these numbers (`1.0`, `-1e0`); -1
//!   becomes 0, as with TensorFlow Playground's labels. A file may not mix 0 and -1.
//! - A usable file has between MIN_POINTS and MAX_POINTS data lines and at most
//!   `limits::MAX_CSV_BYTES` bytes; a longer text is rejected before it is read.
//!
//! Validation reports each bad line with its number, e.g. `line 7: expected 3 numbers separated
//! by commas, got "1.2,abc,0"`, at most MAX_BAD_LINES of them followed by `... and N more bad
//! lines`. Generation skips bad lines, so an unvalidated file gives a partial dataset.

use crate::config::limits::{too_long, MAX_CSV_BYTES};
use crate::config::validate::Validator;

use super::{Dataset, Task, MAX_POINTS, MIN_POINTS};

/// At most this many bad lines are reported one by one.
pub(crate) const MAX_BAD_LINES: usize = 10;
/// A line quoted in a message is cut after this many characters.
const MAX_QUOTED_CHARS: usize = 60;

/// The result of reading a CSV text: the good rows and every problem found.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Parsed {
    /// The column count of the file (2 or 3), or None when no line has 2 or 3 fields.
    columns: Option<usize>,
    /// The numbers of every good data line, `columns` per line, labels already mapped to 0/1.
    values: Vec<f64>,
    /// Number of data lines, good or bad (every non-blank line except the header).
    data_lines: usize,
    /// One message per bad line, each starting with `line N: `, for the first MAX_BAD_LINES.
    bad_lines: Vec<String>,
    /// Number of bad lines, listed or not.
    bad_count: usize,
}

/// An iterator over the lines of a text, treating `\r\n`, `\n` and `\r` as line ends.
struct Lines<'a> {
    rest: Option<&'a str>,
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let rest = self.rest?;
        match rest.find(['\r', '\n']) {
            None => {
                self.rest = None;
                Some(rest)
            }
            Some(end) => {
                // A line break is one or two ASCII bytes, so the cuts fall on char boundaries.
                let skip = if rest.get(end..).is_some_and(|r| r.starts_with("\r\n")) { 2 } else { 1 };
                self.rest = rest.get(end + skip..);
                rest.get(..end)
            }
        }
    }
}

/// The line, trimmed, cut to MAX_QUOTED_CHARS characters, for quoting in a message.
fn quote(line: &str) -> String {
    let mut chars = line.chars();
    let mut quoted: String = chars.by_ref().take(MAX_QUOTED_CHARS).collect();
    if chars.next().is_some() {
        quoted.push_str("...");
    }
    format!("\"{quoted}\"")
}

/// Which label convention a file uses, and the first line that showed it.
#[derive(Clone, Copy, Debug, Default)]
struct Conventions {
    /// The first line with the label 0.
    zero: Option<usize>,
    /// The first line with the label -1.
    minus_one: Option<usize>,
}

/// Reads a whole CSV text (see the module header for the format). A text over
/// `limits::MAX_CSV_BYTES` is not read at all and gives nothing (validation rejects it).
pub(crate) fn parse(text: &str) -> Parsed {
    if text.len() > MAX_CSV_BYTES {
        return Parsed::default();
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut parsed = Parsed::default();
    // The line that fixed the column count, quoted in messages about other counts.
    let mut columns_line = 0usize;
    // Whether that line is the header (whose names are not numbers).
    let mut header_fixed = false;
    let mut conventions = Conventions::default();
    let mut first_content = true;
    let lines = Lines { rest: Some(text) };
    for (index, raw) in lines.enumerate() {
        let number = index + 1;
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        let numbers: Vec<Option<f64>> = fields.iter().map(|f| f.parse::<f64>().ok()).collect();

        if first_content {
            first_content = false;
            if numbers.iter().all(Option::is_none) {
                // A header: it fixes the column count when it has 2 or 3 names.
                if fields.len() == 2 || fields.len() == 3 {
                    parsed.columns = Some(fields.len());
                    columns_line = number;
                    header_fixed = true;
                } else {
                    parsed.bad(format!(
                        "line {number}: expected a header with 2 columns (x,y) or 3 columns (x1,x2,label), got {}",
                        quote(line)
                    ));
                }
                continue;
            }
        }

        parsed.data_lines += 1;
        let context = LineContext { line, number, columns: parsed.columns, columns_line, header_fixed };
        if let Some(problem) = check_line(&context, &numbers, &mut conventions) {
            parsed.bad(format!("line {number}: {problem}"));
        } else if parsed.columns.is_none() {
            columns_line = number;
            parsed.columns = Some(fields.len());
            push_values(&mut parsed, &numbers);
        } else {
            push_values(&mut parsed, &numbers);
        }
    }
    parsed
}

/// Appends the numbers of a good line, writing the label as exactly 1.0 or 0.0 (so -1 and -0
/// become 0.0).
fn push_values(parsed: &mut Parsed, numbers: &[Option<f64>]) {
    let count = numbers.len();
    for (i, value) in numbers.iter().enumerate() {
        let value = value.unwrap_or(f64::NAN);
        let is_label = count == 3 && i == 2;
        parsed.values.push(if !is_label || value == 1.0 { value } else { 0.0 });
    }
}

/// What `check_line` needs to know about a data line besides its numbers.
struct LineContext<'a> {
    /// The trimmed line.
    line: &'a str,
    /// Its 1-based line number.
    number: usize,
    /// The column count fixed so far, if any.
    columns: Option<usize>,
    /// The line that fixed the column count.
    columns_line: usize,
    /// Whether that line is the header.
    header_fixed: bool,
}

/// The problem of one data line, if any, without the `line N: ` prefix. A line whose field count
/// is 2 or 3 while no count is fixed yet is judged as if it fixed the count.
fn check_line(context: &LineContext<'_>, numbers: &[Option<f64>], conventions: &mut Conventions) -> Option<String> {
    let LineContext { line, number, columns, columns_line, header_fixed } = *context;
    let count = numbers.len();
    let columns = match columns {
        Some(columns) if columns != count => {
            let source = if header_fixed { "as the header on line" } else { "as on line" };
            return Some(format!(
                "expected {columns} numbers separated by commas ({source} {columns_line}), got {}",
                quote(line)
            ));
        }
        Some(columns) => columns,
        None if count == 2 || count == 3 => count,
        None => {
            return Some(format!(
                "expected 2 numbers (x,y) or 3 numbers (x1,x2,label) separated by commas, got {}",
                quote(line)
            ));
        }
    };
    if numbers.iter().any(Option::is_none) {
        return Some(format!("expected {columns} numbers separated by commas, got {}", quote(line)));
    }
    if numbers.iter().flatten().any(|x| !x.is_finite()) {
        return Some(format!("every number must be finite, got {}", quote(line)));
    }
    if columns == 3 {
        let label = numbers.get(2).copied().flatten().unwrap_or(f64::NAN);
        if label != 0.0 && label != 1.0 && label != -1.0 {
            return Some(format!("label must be 0 or 1 (or -1 and 1), got {label}"));
        }
        if label == 0.0 {
            if let Some(other) = conventions.minus_one {
                return Some(format!("label 0 mixes the 0/1 and -1/1 conventions (line {other} has the label -1)"));
            }
            conventions.zero.get_or_insert(number);
        } else if label == -1.0 {
            if let Some(other) = conventions.zero {
                return Some(format!("label -1 mixes the 0/1 and -1/1 conventions (line {other} has the label 0)"));
            }
            conventions.minus_one.get_or_insert(number);
        }
    }
    None
}

impl Parsed {
    /// Records a bad line, keeping the message only while fewer than MAX_BAD_LINES are kept.
    fn bad(&mut self, message: String) {
        if self.bad_lines.len() < MAX_BAD_LINES {
            self.bad_lines.push(message);
        }
        self.bad_count += 1;
    }

    /// The dataset of the good lines: 2 columns give a regression set, 3 columns a
    /// classification set, and no usable line an empty regression set.
    pub(crate) fn into_dataset(self) -> Dataset {
        match self.columns {
            Some(3) => {
                let mut data = Dataset::empty(2, Task::Classification);
                for row in self.values.chunks_exact(3) {
                    if let [x1, x2, label] = *row {
                        data.push(&[x1, x2], label);
                    }
                }
                data
            }
            Some(2) => {
                let mut data = Dataset::empty(1, Task::Regression);
                for row in self.values.chunks_exact(2) {
                    if let [x, y] = *row {
                        data.push(&[x], y);
                    }
                }
                data
            }
            _ => Dataset::empty(1, Task::Regression),
        }
    }
}

/// What the page says of a CSV text while it is typed: the column count its lines fix (2 or
/// 3; None when no line has 2 or 3 fields) and its number of data lines, good or bad.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CsvShape {
    pub columns: Option<usize>,
    pub rows: usize,
}

/// The shape of a CSV text (an empty shape for a text over `limits::MAX_CSV_BYTES`).
pub fn shape(text: &str) -> CsvShape {
    let parsed = parse(text);
    CsvShape { columns: parsed.columns, rows: parsed.data_lines }
}

/// Classification for a 3-column file, regression for anything else.
pub(crate) fn task(text: &str) -> Task {
    match parse(text).columns {
        Some(3) => Task::Classification,
        _ => Task::Regression,
    }
}

/// Records every problem of a CSV text at `path` (the path of the text field itself).
pub(crate) fn validate(text: &str, path: &str, v: &mut Validator) {
    if text.len() > MAX_CSV_BYTES {
        v.error(path, too_long(MAX_CSV_BYTES, text.len()));
        return;
    }
    let parsed = parse(text);
    for message in parsed.bad_lines.iter().take(MAX_BAD_LINES) {
        v.error(path, message.clone());
    }
    if parsed.bad_count > MAX_BAD_LINES {
        let more = parsed.bad_count - MAX_BAD_LINES;
        v.error(path, format!("... and {more} more bad lines"));
    }
    let rows = parsed.data_lines;
    if rows < MIN_POINTS as usize {
        v.error(path, format!("must contain at least {MIN_POINTS} data rows, got {rows}"));
    } else if rows > MAX_POINTS as usize {
        v.error(path, format!("must contain at most {MAX_POINTS} data rows, got {rows}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<&str> {
        Lines { rest: Some(text) }.collect()
    }

    #[test]
    fn line_ends_of_every_kind() {
        assert_eq!(lines("a\nb\r\nc\rd"), vec!["a", "b", "c", "d"]);
        assert_eq!(lines("a\n"), vec!["a", ""]);
        assert_eq!(lines(""), vec![""]);
        assert_eq!(lines("\r\n\r\n"), vec!["", "", ""]);
    }

    #[test]
    fn long_lines_are_cut_in_messages() {
        let long = "é".repeat(100);
        let quoted = quote(&long);
        assert_eq!(quoted.chars().count(), MAX_QUOTED_CHARS + 5);
        assert!(quoted.ends_with("...\""));
    }

    #[test]
    fn shape_counts_data_lines_good_or_bad_below_a_header() {
        assert_eq!(shape("x1,x2,label\n1,2,0\n\n3,oops,1\n"), CsvShape { columns: Some(3), rows: 2 });
        assert_eq!(shape("1,2\r\n3,4"), CsvShape { columns: Some(2), rows: 2 });
        assert_eq!(shape("only one\n"), CsvShape { columns: None, rows: 0 });
        assert_eq!(shape(""), CsvShape { columns: None, rows: 0 });
    }

    #[test]
    fn bom_is_ignored() {
        let parsed = parse("\u{feff}1,2\n3,4\n5,6\n7,8\n");
        assert!(parsed.bad_lines.is_empty(), "{:?}", parsed.bad_lines);
        assert_eq!(parsed.values, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]);
    }
}
