using System.Globalization;
using System.Text;
using CoolCache.Cli.Output;

namespace CoolCache.Cli.Shell;

/// <summary>
/// A line editor in the manner of linenoise (which redis-cli uses), in its multi-line mode: the prompt and
/// the line are redrawn after every key, a long line wraps over several rows, a grey hint follows the
/// text. Keys: arrows, Home/End, Ctrl-A/E/B/F/P/N, Backspace, Delete, Ctrl-D (delete, or end of input on an
/// empty line), Ctrl-C, Ctrl-U/K/W/T/L, Tab to cycle through completions (Esc restores the text, any other
/// key takes the one shown and is then handled), Enter. Up and Down walk the history, keeping edits to its lines meanwhile.
/// </summary>
public sealed class LineEditor(Printer printer, History history)
{
    private const int CtrlA = 1, CtrlB = 2, CtrlC = 3, CtrlD = 4, CtrlE = 5, CtrlF = 6, CtrlH = 8, Tab = 9;
    private const int CtrlK = 11, CtrlL = 12, Enter = 13, CtrlN = 14, CtrlP = 16, CtrlT = 20, CtrlU = 21;
    private const int CtrlW = 23, Esc = 27, Backspace = 127;

    private readonly RawTerminal _terminal = new();
    private readonly List<char> _buffer = [];
    private string _prompt = "";
    private int _pos;
    private int _oldPos;
    private int _maxRows;
    private int _cols = 80;
    private bool _showHints = true;

    /// <summary>Names that complete the line typed so far (whole lines, in the order to offer them).</summary>
    public Func<string, IReadOnlyList<string>> Complete { get; set; } = _ => [];

    /// <summary>The grey text to show after the line typed so far, or null.</summary>
    public Func<string, string?> Hint { get; set; } = _ => null;

    /// <summary>
    /// Read one line after showing prompt; null on Ctrl-D at an empty line, Ctrl-C or end of input.
    /// </summary>
    public string? ReadLine(string prompt)
    {
        if (!_terminal.Enable()) return null;
        string? line;
        try
        {
            line = Edit(prompt);
        }
        finally
        {
            _terminal.Disable();
        }
        printer.Write("\n");
        return line;
    }

    private string? Edit(string prompt)
    {
        _prompt = prompt;
        _buffer.Clear();
        _pos = _oldPos = 0;
        _maxRows = 0;
        _cols = RawTerminal.Columns();
        var entries = new List<string>(history.Lines) { "" };
        var index = 0; // 0 is the line being typed, 1 the last history line...
        printer.Write(prompt);
        while (true)
        {
            var c = RawTerminal.ReadByte();
            if (c < 0) return _buffer.Count > 0 ? Text : null;
            if (c == Tab)
            {
                c = CompleteLine();
                if (c < 0) return Text;
                if (c == 0) continue;
            }
            switch (c)
            {
                case Enter:
                    MoveTo(_buffer.Count);
                    _showHints = false;
                    Refresh();
                    _showHints = true;
                    return Text;
                case CtrlC:
                    return null;
                case Backspace:
                case CtrlH:
                    if (_pos > 0)
                    {
                        _buffer.RemoveAt(--_pos);
                        Refresh();
                    }
                    break;
                case CtrlD:
                    if (_buffer.Count == 0) return null;
                    DeleteRight();
                    break;
                case CtrlT:
                    if (_pos > 0 && _pos < _buffer.Count)
                    {
                        (_buffer[_pos - 1], _buffer[_pos]) = (_buffer[_pos], _buffer[_pos - 1]);
                        if (_pos != _buffer.Count - 1) _pos++;
                        Refresh();
                    }
                    break;
                case CtrlB:
                    MoveTo(_pos - 1);
                    break;
                case CtrlF:
                    MoveTo(_pos + 1);
                    break;
                case CtrlP:
                    index = Walk(entries, index, +1);
                    break;
                case CtrlN:
                    index = Walk(entries, index, -1);
                    break;
                case Esc:
                    index = Escape(entries, index);
                    break;
                case CtrlU:
                    _buffer.Clear();
                    _pos = 0;
                    Refresh();
                    break;
                case CtrlK:
                    _buffer.RemoveRange(_pos, _buffer.Count - _pos);
                    Refresh();
                    break;
                case CtrlA:
                    MoveTo(0);
                    break;
                case CtrlE:
                    MoveTo(_buffer.Count);
                    break;
                case CtrlL:
                    printer.Write("\x1b[H\x1b[2J");
                    Refresh();
                    break;
                case CtrlW:
                    DeletePreviousWord();
                    break;
                default:
                    Insert(c);
                    break;
            }
        }
    }

    private string Text => new(_buffer.ToArray());

    /// <summary>An escape sequence: arrows, Home, End, Delete (ESC [ x, ESC [ n ~, ESC O x).</summary>
    private int Escape(List<string> entries, int index)
    {
        var first = RawTerminal.ReadByte();
        var second = RawTerminal.ReadByte();
        if (first < 0 || second < 0) return index;
        if (first == '[')
        {
            if (second is >= '0' and <= '9')
            {
                var third = RawTerminal.ReadByte();
                if (third == '~' && second == '3') DeleteRight();
                return index;
            }
            switch (second)
            {
                case 'A':
                    return Walk(entries, index, +1);
                case 'B':
                    return Walk(entries, index, -1);
                case 'C':
                    MoveTo(_pos + 1);
                    break;
                case 'D':
                    MoveTo(_pos - 1);
                    break;
                case 'H':
                    MoveTo(0);
                    break;
                case 'F':
                    MoveTo(_buffer.Count);
                    break;
            }
        }
        else if (first == 'O')
        {
            if (second == 'H') MoveTo(0);
            else if (second == 'F') MoveTo(_buffer.Count);
        }
        return index;
    }

    /// <summary>Up (+1) or down (-1) in the history; the line left is kept as edited.</summary>
    private int Walk(List<string> entries, int index, int step)
    {
        if (entries.Count <= 1) return index;
        entries[entries.Count - 1 - index] = Text;
        var next = index + step;
        if (next < 0 || next >= entries.Count) return index;
        _buffer.Clear();
        _buffer.AddRange(entries[entries.Count - 1 - next]);
        _pos = _buffer.Count;
        Refresh();
        return next;
    }

    private void MoveTo(int pos)
    {
        if (pos < 0 || pos > _buffer.Count || pos == _pos) return;
        _pos = pos;
        Refresh();
    }

    private void DeleteRight()
    {
        if (_pos >= _buffer.Count) return;
        _buffer.RemoveAt(_pos);
        Refresh();
    }

    private void DeletePreviousWord()
    {
        var start = _pos;
        while (start > 0 && _buffer[start - 1] == ' ') start--;
        while (start > 0 && _buffer[start - 1] != ' ') start--;
        _buffer.RemoveRange(start, _pos - start);
        _pos = start;
        Refresh();
    }

    /// <summary>A typed byte; the bytes of one UTF-8 character are gathered first.</summary>
    private void Insert(int first)
    {
        if (first < 0x20) return;
        var length = first switch
        {
            < 0x80 => 1,
            >= 0xf0 => 4,
            >= 0xe0 => 3,
            >= 0xc0 => 2,
            _ => 1,
        };
        var bytes = new byte[length];
        bytes[0] = (byte)first;
        for (var i = 1; i < length; i++)
        {
            var next = RawTerminal.ReadByte();
            if (next < 0) return;
            bytes[i] = (byte)next;
        }
        foreach (var ch in Encoding.UTF8.GetString(bytes)) _buffer.Insert(_pos++, ch);
        Refresh();
    }

    /// <summary>Tab: show each completion in turn; returns the key that ended it (0: none to process).</summary>
    private int CompleteLine()
    {
        var completions = Complete(Text);
        if (completions.Count == 0)
        {
            Beep();
            return 0;
        }
        var i = 0;
        while (true)
        {
            if (i < completions.Count)
            {
                var saved = (_buffer.ToArray(), _pos);
                _buffer.Clear();
                _buffer.AddRange(completions[i]);
                _pos = _buffer.Count;
                Refresh();
                _buffer.Clear();
                _buffer.AddRange(saved.Item1);
                _pos = saved._pos;
            }
            else
            {
                Refresh();
            }
            var c = RawTerminal.ReadByte();
            if (c < 0) return -1;
            switch (c)
            {
                case Tab:
                    i = (i + 1) % (completions.Count + 1);
                    if (i == completions.Count) Beep();
                    break;
                case Esc:
                    // As linenoise: the original text again, and the Esc goes on to start an escape sequence.
                    if (i < completions.Count) Refresh();
                    return c;
                default:
                    if (i < completions.Count)
                    {
                        _buffer.Clear();
                        _buffer.AddRange(completions[i]);
                        _pos = _buffer.Count;
                    }
                    return c;
            }
        }
    }

    private void Beep() => printer.Error("\a");

    /// <summary>linenoise's multi-line refresh: clear the rows used before, draw, put the cursor back.</summary>
    private void Refresh()
    {
        var promptLength = _prompt.Length;
        var rows = (promptLength + _buffer.Count + _cols - 1) / _cols;
        var cursorRow = (promptLength + _oldPos + _cols) / _cols;
        var oldRows = _maxRows;
        if (rows > _maxRows) _maxRows = rows;
        var output = new StringBuilder();
        if (oldRows - cursorRow > 0) output.Append(CultureInfo.InvariantCulture, $"\x1b[{oldRows - cursorRow}B");
        for (var j = 0; j < oldRows - 1; j++) output.Append("\r\x1b[0K\x1b[1A");
        output.Append("\r\x1b[0K").Append(_prompt).Append(_buffer.ToArray());
        if (_showHints && promptLength + _buffer.Count < _cols && Hint(Text) is { } hint)
        {
            var room = _cols - (promptLength + _buffer.Count);
            output.Append("\x1b[0;90;49m").Append(hint.Length > room ? hint[..room] : hint).Append("\x1b[0m");
        }
        if (_pos > 0 && _pos == _buffer.Count && (_pos + promptLength) % _cols == 0)
        {
            output.Append("\n\r");
            rows++;
            if (rows > _maxRows) _maxRows = rows;
        }
        var newRow = (promptLength + _pos + _cols) / _cols;
        if (rows - newRow > 0) output.Append(CultureInfo.InvariantCulture, $"\x1b[{rows - newRow}A");
        var col = (promptLength + _pos) % _cols;
        output.Append(col != 0 ? $"\r\x1b[{col}C" : "\r");
        _oldPos = _pos;
        printer.Write(output.ToString());
    }
}
