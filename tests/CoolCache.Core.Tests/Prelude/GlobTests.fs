module CoolCache.Core.Tests.Prelude.GlobTests

open System
open System.Diagnostics
open Expecto
open FsCheck
open FsCheck.FSharp
open CoolCache.Core

let private m (pattern: string) (text: string) =
    Glob.isMatch (Bytes.ofLatin1 pattern) (Bytes.ofLatin1 text) false

let private mi (pattern: string) (text: string) =
    Glob.isMatch (Bytes.ofLatin1 pattern) (Bytes.ofLatin1 text) true

let private config =
    { FsCheckConfig.defaultConfig with
        maxTest = 3000
    }

// ---- a plain reference: tokenize the pattern the way Redis reads it, then backtrack ---------------

type private ClassItem =
    | Single of char
    | Escaped of char
    | Range of char * char

type private Token =
    | Star
    | AnyChar
    | Literal of char
    | Class of negated: bool * items: ClassItem list

/// Redis's reading of a pattern: '*' runs collapse; '\' escapes the next char (a trailing '\' is literal);
/// '[' opens a class ending at the first unescaped ']' (or at the end of the pattern), where '^' first negates,
/// "x-y" (three chars available) is a range, and "\x" (two chars available) is an exact char.
let private tokenize (p: string) : Token list =
    let rec classItems i acc =
        if i >= p.Length then
            List.rev acc, i
        elif p[i] = '\\' && p.Length - i >= 2 then
            classItems (i + 2) (Escaped p[i + 1] :: acc)
        elif p[i] = ']' then
            List.rev acc, i + 1
        elif p.Length - i >= 3 && p[i + 1] = '-' then
            classItems (i + 3) (Range(p[i], p[i + 2]) :: acc)
        else
            classItems (i + 1) (Single p[i] :: acc)

    let rec go i acc =
        if i >= p.Length then
            List.rev acc
        else
            match p[i] with
            | '*' ->
                let mutable j = i

                while j < p.Length && p[j] = '*' do
                    j <- j + 1

                go j (Star :: acc)
            | '?' -> go (i + 1) (AnyChar :: acc)
            | '[' ->
                let negated = i + 1 < p.Length && p[i + 1] = '^'
                let items, next = classItems (if negated then i + 2 else i + 1) []
                go next (Class(negated, items) :: acc)
            | '\\' when p.Length - i >= 2 -> go (i + 2) (Literal p[i + 1] :: acc)
            | c -> go (i + 1) (Literal c :: acc)

    go 0 []

let private lowerAscii (c: char) =
    if c >= 'A' && c <= 'Z' then char (int c + 32) else c

let private signedChar (c: char) = int (sbyte (byte c))

let private classMatches nocase (items: ClassItem list) (c: char) =
    items
    |> List.exists (fun item ->
        match item with
        | Escaped x -> x = c
        | Single x -> if nocase then lowerAscii x = lowerAscii c else x = c
        | Range(a, z) ->
            let lo, hi = min (signedChar a) (signedChar z), max (signedChar a) (signedChar z)

            let fold v =
                if nocase && v >= 65 && v <= 90 then v + 32 else v

            let v = fold (signedChar c)
            v >= fold lo && v <= fold hi)

/// Backtracking over tokens; an empty text matches only an empty pattern, as in Redis.
let private referenceMatch (pattern: string) (text: string) (nocase: bool) =
    let tokens = tokenize pattern |> List.toArray

    let rec go ti si =
        if ti = tokens.Length then
            si = text.Length
        else
            match tokens[ti] with
            | Star -> Seq.exists (fun k -> go (ti + 1) k) (seq { si .. text.Length })
            | _ when si = text.Length -> false
            | AnyChar -> go (ti + 1) (si + 1)
            | Literal c ->
                (if nocase then
                     lowerAscii c = lowerAscii text[si]
                 else
                     c = text[si])
                && go (ti + 1) (si + 1)
            | Class(negated, items) -> (classMatches nocase items text[si] <> negated) && go (ti + 1) (si + 1)

    if text.Length = 0 then pattern.Length = 0 else go 0 0

// ---- generators ------------------------------------------------------------------------------

let private stringOver (alphabet: char list) (maxLen: int) =
    Gen.elements alphabet |> Gen.arrayOf |> Gen.map String |> Gen.resize maxLen

let private patternAndText =
    Gen.zip (stringOver [ 'a'; 'b'; '*'; '?'; '['; ']'; '^'; '-'; '\\' ] 9) (stringOver [ 'a'; 'b'; '-'; ']' ] 7)
    |> Arb.fromGen

let private patternAndTextMixedCase =
    Gen.zip
        (stringOver [ 'a'; 'B'; '*'; '?'; '['; ']'; '^'; '-'; '\\'; 'Z' ] 9)
        (stringOver [ 'A'; 'b'; 'z'; '-'; ']'; '_' ] 7)
    |> Arb.fromGen

let private plainTextGen = stringOver [ 'a'; 'b'; 'c'; 'x'; '-'; '.'; ':' ] 12
let private plainText = plainTextGen |> Arb.fromGen

// ---- tests -------------------------------------------------------------------------------------

let private examples =
    testList
        "examples"
        [
            test "a star matches any run including none" {
                Expect.isTrue (m "a*" "a") "a*"
                Expect.isTrue (m "a*b" "axxb") "a*b"
                Expect.isFalse (m "a*b" "axxbc") "anchored at the end"
            }
            test "consecutive stars collapse to one" { Expect.isTrue (m "a***b" "ab") "a***b" }
            test "a star or stars do not match the empty text, as in stringmatchlen" {
                Expect.isFalse (m "*" "") "*"
                Expect.isFalse (m "**" "") "**"
                Expect.isTrue (m "" "") "empty matches empty"
                Expect.isTrue (Glob.isMatchAll "*"B) "KEYS and SCAN special-case a lone *"
            }
            test "a question mark matches exactly one byte" {
                Expect.isTrue (m "h?llo" "hello") "h?llo"
                Expect.isFalse (m "h?llo" "hllo") "needs a byte"
            }
            test "a class matches one of its bytes" {
                Expect.isTrue (m "h[ae]llo" "hallo") "a"
                Expect.isFalse (m "h[ae]llo" "hillo") "i"
            }
            test "a caret first negates a class" {
                Expect.isTrue (m "h[^e]llo" "hallo") "a"
                Expect.isFalse (m "h[^e]llo" "hello") "e"
            }
            test "a range matches its span" { Expect.isTrue (m "h[a-b]llo" "hbllo") "b" }
            test "a reversed range matches as if swapped" {
                Expect.isTrue (m "[z-a]" "b") "b in z-a"
                Expect.isTrue (m "[z-a]" "x") "x in z-a"
                Expect.isFalse (m "[z-a]" "A") "A"
            }
            test "a backslash escapes outside and inside classes" {
                Expect.isTrue (m "\\*" "*") "\\*"
                Expect.isFalse (m "\\*" "a") "not a star"
                Expect.isTrue (m "\\a" "a") "\\a"
                Expect.isTrue (m "[\\]]" "]") "escaped ]"
                Expect.isTrue (m "[\\-]" "-") "escaped -"
            }
            test "a trailing lone backslash matches a backslash" {
                Expect.isTrue (m "a\\" "a\\") "a\\"
                Expect.isTrue (m "\\" "\\") "\\"
            }
            test "a backslash last in an unterminated class is a plain member" { Expect.isTrue (m "[\\" "\\") "[\\" }
            test "an unterminated class runs to the end of the pattern" {
                Expect.isTrue (m "[ab" "b") "[ab"
                Expect.isFalse (m "[ab" "ab") "one byte only"
                Expect.isFalse (m "[" "a") "empty class matches nothing"
                Expect.isTrue (m "[^" "a") "empty negated class matches any byte"
                Expect.isTrue (m "[a-" "-") "a dash at the end is a member"
            }
            test "a dash before the closing bracket makes a range ending at ]" {
                // [a-] is the range ]..a and the class continues to the end of the pattern.
                for k in [ "]"; "^"; "_"; "a" ] do
                    Expect.isTrue (m "[a-]" k) k

                Expect.isFalse (m "[a-]" "b") "b"
                Expect.isTrue (m "[a-]b" "b") "b is a member of the still-open class"
            }
            test "an empty class [] matches nothing" {
                Expect.isFalse (m "[]a]" "a") "[]a]"
                Expect.isFalse (m "[]" "]") "[]"
                Expect.isTrue (m "[^]" "x") "[^] matches any byte"
            }
            test "ranges compare bytes as signed chars like Redis on x86-64" {
                Expect.isFalse (m "[a-\xff]" "b") "a..-1 is empty of b"
                Expect.isTrue (m "[\x80-\xff]" "\xc0") "-128..-1 holds 0xc0"
                Expect.isFalse (m "[\x90-\xff]" "\x80") "0x80 is -128"
            }
            test "nocase folds ASCII letters only" {
                Expect.isTrue (mi "HELLO*" "hello world") "HELLO*"
                Expect.isTrue (mi "[A-C]" "b") "range folds"
                Expect.isFalse (mi "\xc9" "\xe9") "no Latin-1 folding"
                Expect.isFalse (m "HELLO" "hello") "case-sensitive by default"
            }
            test "nocase folds range ends after swapping them, so [Z-a] and [a-Z] match nothing" {
                // Confirmed with CONFIG GET (nocase) on redis-server: [L-n]axmemor? matches, [Z-a]axmemor? does not.
                Expect.isTrue (mi "[L-n]" "m") "L-n"
                Expect.isFalse (mi "[Z-a]" "m") "Z-a"
                Expect.isFalse (mi "[a-Z]" "m") "a-Z"
                Expect.isFalse (mi "[Z-a]" "z") "z"
            }
            test "nocase does not fold an escaped byte inside a class" {
                Expect.isFalse (mi "[\\A]" "a") "escaped A"
                Expect.isTrue (mi "\\A" "a") "escaped A outside a class folds"
            }
            test "a pattern needing more than 1000 nested stars fails" {
                let text = String('a', 1001)
                Expect.isTrue (m (String.replicate 1000 "*a") text) "1000 stars"
                Expect.isFalse (m (String.replicate 1001 "*a") text) "1001 stars"
                Expect.isTrue (m (String.replicate 1001 "a*") text) "a trailing star needs no nesting"
            }
            test "abusive star patterns stay fast" {
                let text = String('a', 10000)
                let pattern = String.replicate 30 "a*" + "b"
                let sw = Stopwatch.StartNew()
                Expect.isFalse (m pattern text) "no b"
                Expect.isLessThan sw.ElapsedMilliseconds 2000L "linear, not exponential"
            }
            test "matches the KEYS replies observed from redis-server" {
                for pattern, expected in RedisObservations.globs do
                    let actual =
                        RedisObservations.globKeys
                        |> Array.filter (m pattern)
                        |> Array.sort
                        |> List.ofArray

                    Expect.equal actual (List.sort expected) $"KEYS {pattern}"
            }
        ]

let private properties =
    testList
        "properties"
        [
            testPropertyWithConfig config "matches agree with a plain backtracking reference"
            <| Prop.forAll patternAndText (fun (p, t) -> m p t = referenceMatch p t false)
            testPropertyWithConfig config "nocase matches agree with the reference"
            <| Prop.forAll patternAndTextMixedCase (fun (p, t) -> mi p t = referenceMatch p t true)
            testPropertyWithConfig config "a pattern with no metacharacters matches exactly itself"
            <| Prop.forAll (Gen.zip plainTextGen plainTextGen |> Arb.fromGen) (fun (p, t) -> m p p && (m p t = (p = t)))
            testPropertyWithConfig config "a star matches every non-empty text"
            <| Prop.forAll plainText (fun t -> t = "" || m "*" t)
        ]

let tests = testList "Glob" [ examples; properties ]
