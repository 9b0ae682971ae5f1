//! Templates: the same [`Report`] as a self-contained `report.html` (inline
//! CSS, charts as `data:` PNG, no script, a Content-Security-Policy that
//! forbids scripts and network loads) and as `report.md` for mail and wikis.
//!
//! Every value a template prints is escaped for its format: HTML by
//! minijinja's auto-escaping, Markdown by [`escape_markdown`] applied by the
//! environment's formatter, so a complaint text that says `<script>` or
//! `onerror=` stays text in both.

use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, State};

use crate::charts::ReportChart;
use crate::model::Report;
use crate::{Error, Result};

const HTML: &str = include_str!("../templates/report.html");
const MARKDOWN: &str = include_str!("../templates/report.md");
const MARKDOWN_ESCAPE: &str = "markdown";

/// Escapes text for Markdown: HTML specials as entities (Markdown passes
/// raw HTML through) and Markdown punctuation with a backslash.
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '!' | '{' | '}' | '(' | ')' => {
                out.push('\\');
                out.push(ch);
            }
            // A line break would end a table row or a list item.
            '\n' | '\r' => out.push(' '),
            _ => out.push(ch),
        }
    }
    out
}

fn environment(charts: &[ReportChart]) -> Result<Environment<'static>> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".md") {
            AutoEscape::Custom(MARKDOWN_ESCAPE.into())
        } else {
            minijinja::default_auto_escape_callback(name)
        }
    });
    env.set_formatter(|out, state, value| {
        if matches!(state.auto_escape(), AutoEscape::Custom(name) if name == MARKDOWN_ESCAPE)
            && !value.is_safe()
        {
            if value.is_none() || value.is_undefined() {
                return Ok(());
            }
            return out
                .write_str(&escape_markdown(&value.to_string()))
                .map_err(|_| minijinja::Error::from(minijinja::ErrorKind::WriteFailure));
        }
        minijinja::escape_formatter(out, state, value)
    });
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.add_template("report.html", HTML)
        .and_then(|()| env.add_template("report.md", MARKDOWN))
        .map_err(|e| Error::Template(e.to_string()))?;
    // chart(id): the figure in HTML (the SVG inline: text stays text,
    // sharp on paper and phone, a tenth of a PNG's size), an image link in
    // Markdown, nothing when the week had no data for it.
    let figures: Vec<(String, String, String)> = charts
        .iter()
        .map(|c| {
            (
                c.id.to_owned(),
                c.title.clone(),
                inline_svg(&c.chart.svg, &c.title),
            )
        })
        .collect();
    env.add_function("chart", move |state: &State, id: String| -> Value {
        let Some((id, title, svg)) = figures.iter().find(|(i, _, _)| *i == id) else {
            return Value::from_safe_string(String::new());
        };
        Value::from_safe_string(if state.name().ends_with(".md") {
            format!("![{}](charts/{id}.png)", escape_markdown(title))
        } else {
            format!(
                "<figure id=\"chart-{id}\">{svg}<figcaption>图：{}（另见 charts/{id}.svg 与 .png）</figcaption></figure>",
                html_escape(title)
            )
        })
    });
    Ok(env)
}

/// A chart's SVG for inlining in HTML: sized by CSS through its viewBox,
/// without the XML namespace (implied in HTML, and not a link), labelled
/// for screen readers. kesu-chart escapes every label inside it.
fn inline_svg(svg: &str, title: &str) -> String {
    let Some(end) = svg.find('>') else {
        return String::new();
    };
    let root = &svg[..end];
    let view_box = root
        .split("viewBox=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or("0 0 1000 700");
    format!(
        "<svg viewBox=\"{view_box}\" role=\"img\" aria-label=\"{}\">{}",
        html_escape(title),
        &svg[end + 1..]
    )
}

fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            _ => out.push(ch),
        }
    }
    out
}

/// `report.html` and `report.md` of `report`.
pub fn render(report: &Report, charts: &[ReportChart]) -> Result<(String, String)> {
    let env = environment(charts)?;
    let ctx = minijinja::context! { r => Value::from(minijinja::value::Serde(report)) };
    let html = env
        .get_template("report.html")
        .and_then(|t| t.render(&ctx))
        .map_err(|e| Error::Template(format!("{e:#}")))?;
    let md = env
        .get_template("report.md")
        .and_then(|t| t.render(&ctx))
        .map_err(|e| Error::Template(format!("{e:#}")))?;
    Ok((html, md))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_escaping_keeps_hostile_text_inert() {
        assert_eq!(
            escape_markdown("<img src=x onerror=alert(1)> *a* [b](c) |d|\n#e"),
            "&lt;img src=x onerror=alert\\(1\\)&gt; \\*a\\* \\[b\\]\\(c\\) \\|d\\| \\#e"
        );
    }

    #[test]
    fn html_escaping_covers_attribute_quotes() {
        assert_eq!(
            html_escape("\"'<>&"),
            "&quot;&#x27;&lt;&gt;&amp;".to_owned()
        );
    }
}
