/*
 * Phishing over the raw message: a brand in the From: header, a lure in
 * the text, and a link to a bare IP address.
 */

private rule Raw_Email
{
	strings:
		$from = /(^|\n)From:[ \t]/
		$to = /\nTo:[ \t]/
		$subj = /\nSubject:[ \t]/
	condition:
		$from and ($to or $subj)
}

rule Phish_Brand_Lure_IP_Link : phishing mail
{
	meta:
		description = "brand impersonation with a link to a bare IP"
		score = 80
		confirmed = false
	strings:
		$brand = /\nFrom:[^\n]{0,100}(paypal|microsoft|apple|docusign)/ nocase
		$lure1 = "verify your account" nocase
		$lure2 = "has been limited" nocase
		$lure3 = "unusual activity" nocase
		$lure4 = "permanent suspension" nocase
		$iplink = /https?:\/\/([0-9]{1,3}\.){3}[0-9]{1,3}[:\/]/
	condition:
		Raw_Email and $brand and 2 of ($lure*) and $iplink
}

rule Reply_To_Differs : mail
{
	strings:
		$rt = /\nReply-To:[^\n]{1,200}@/ nocase
	condition:
		Raw_Email and $rt
}
