-- pandoc filter for tlsfloor.toml(5): groff cannot fit the long cells of docs/configuration.md's
-- tables into columns (lintian's groff-message), and a terminal shows them badly anyway.
-- Each row becomes a definition-list entry: the first cell is the term, the other cells
-- follow as "Header: text" lines.
function Table(tbl)
  local simple = pandoc.utils.to_simple_table(tbl)
  local items = {}
  for _, row in ipairs(simple.rows) do
    local lines = pandoc.List()
    for column = 2, #row do
      if column > 2 then lines:insert(pandoc.LineBreak()) end
      local header = pandoc.utils.stringify(simple.headers[column] or {})
      if header ~= "" then
        lines:extend({pandoc.Emph(pandoc.Str(header .. ":")), pandoc.Space()})
      end
      lines:extend(pandoc.utils.blocks_to_inlines(row[column]))
    end
    table.insert(items, {pandoc.utils.blocks_to_inlines(row[1]), {pandoc.Plain(lines)}})
  end
  -- (pandoc 2.17 does not walk into table cells with the inline filters below.)
  return pandoc.walk_block(pandoc.DefinitionList(items), {Code = Code})
end

-- Left-aligned and unhyphenated, like most man pages: cipher lists and paths cannot be
-- justified into 80 columns without gaps groff warns about (lintian's groff-message).
function Pandoc(doc)
  doc.blocks:insert(1, pandoc.RawBlock("man", ".ad l\n.nh"))
  return doc
end

-- A long code span (a cipher list) would overrun the line: groff may break it after a colon.
function Code(code)
  if #code.text < 60 then return nil end
  local text = code.text:gsub("\\", "\\e")
  text = text:gsub("%-", "\\-")
  text = text:gsub('"', "\\[dq]")
  text = text:gsub(":", ":\\:")
  return pandoc.RawInline("man", "\\f[V]" .. text .. "\\f[R]")
end
