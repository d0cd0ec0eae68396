/*
 * test_yara: string kinds and conditions. Each rule matches exactly the
 * samples its comment names (checked with the yara tool).
 */

rule text_plain : text demo
{
	meta:
		description = "a plain string, with \"quotes\" and a \\ in meta"
		score = 40
		negative = -7
		reviewed = true
		draft = false
	strings:
		$a = "free money"
	condition:
		$a
}

rule text_nocase
{
	strings:
		$a = "WIRE TRANSFER" nocase
	condition:
		$a
}

/* UTF-16LE only: "invoice" as Windows tools write it */
rule text_wide_only
{
	strings:
		$a = "invoice" wide
	condition:
		$a
}

rule text_wide_ascii
{
	strings:
		$a = "payload" wide ascii
	condition:
		#a >= 2
}

rule hex_jump_wildcard : bytes
{
	strings:
		$h = { 4D 5A ?? 00 [2-6] 50 45 }
	condition:
		$h at 0
}

rule regex_btc : crypto
{
	strings:
		$re = /\b(bc1|[13])[a-km-zA-HJ-NP-Z1-9]{25,34}\b/
	condition:
		$re
}

rule counts_offsets
{
	strings:
		$x = "XYZ"
	condition:
		#x == 3 and @x[2] - @x[1] == 16 and @x[3] > 80 and filesize < 200
}

rule of_them
{
	strings:
		$a = "alpha"
		$b = "bravo"
		$c = "charlie"
	condition:
		2 of them
}

rule for_loop
{
	strings:
		$x = "XYZ"
	condition:
		for all i in (1..#x) : ( uint8(@x[i] + 3) == 0x21 )
}

private rule has_subject
{
	strings:
		$s = "Subject:"
	condition:
		$s
}

rule uses_private : mail
{
	meta:
		author = "spampot tests"
	strings:
		$u = "urgent" nocase
	condition:
		has_subject and $u
}
