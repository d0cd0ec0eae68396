/*
 * A global rule: every rule of this file (namespace 20-global) needs it.
 * Small inputs only.
 */

global rule small_only
{
	condition:
		filesize < 100
}

rule short_greeting
{
	strings:
		$h = "hello"
	condition:
		$h
}
