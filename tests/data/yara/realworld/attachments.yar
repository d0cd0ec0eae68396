/*
 * Malicious attachments: an Office 97-2003 document with an auto-run VBA
 * macro, and HTML that builds a file in the browser (HTML smuggling).
 */

rule Office_OLE_AutoMacro : office macro
{
	meta:
		description = "OLE2 document with an auto-executing VBA macro"
		score = 75
	strings:
		$vba = "Attribute VB_Name" ascii
		$auto1 = "AutoOpen" nocase
		$auto2 = "Document_Open" nocase
		$auto3 = "Workbook_Open" nocase
		$exec1 = "Shell" nocase
		$exec2 = /powershell(\.exe)?\s+-e(nc|ncodedcommand)?\s/ nocase
	condition:
		uint32be(0) == 0xD0CF11E0 and uint32be(4) == 0xA1B11AE1 and
		$vba and any of ($auto*) and any of ($exec*)
}

rule Html_Smuggling_Blob : html smuggling
{
	meta:
		description = "HTML building a download from base64 in script"
		score = 70
	strings:
		$html = "<html" nocase
		$atob = /atob\s*\(/
		$blob = /new\s+Blob\s*\(/
		$url = "URL.createObjectURL"
		$dl1 = /\.download\s*=/
		$dl2 = "msSaveOrOpenBlob"
	condition:
		$html in (0..1024) and $atob and $blob and
		($url or any of ($dl*))
}
