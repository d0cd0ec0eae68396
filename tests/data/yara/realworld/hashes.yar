/*
 * Known-bad files by hash, as threat-intel feeds publish them.
 * The MD5 is that of samples/smuggle.html.
 */
import "hash"

rule Known_Bad_Html_Dropper : ioc
{
	meta:
		description = "HTML smuggling dropper seen in a campaign"
		reference = "spampot test sample"
		tlp = "white"
	condition:
		filesize < 64KB and
		hash.md5(0, filesize) == "6ea3dcd16a7fdff10da297c3e4157f2d"
}
