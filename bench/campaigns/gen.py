#!/usr/bin/env python3
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
"""
gen.py: a labelled set of spam campaigns for measuring campaign grouping
(bench/campaigns/, run by hand or by run.sh; no privileges, stdlib only).

Writes N messages (default 5000) as RFC 5322 .eml files into OUTDIR and
OUTDIR/labels.tsv (file, campaign, envelope recipient). Everything comes
from one seeded random generator: the same seed and N give the same bytes.

The campaigns are synthetic, written after the kinds of spam an open-relay
honeypot receives; each copy varies the way real copies do (see README.md):
spintax, recipient-derived greetings, numbers, tracking links on a few
rotating domains, hash-busters, senders, subjects, transfer encodings,
boundaries, attachments with per-copy bytes.
"""

import argparse
import base64
import io
import os
import quopri
import random
import re
import zipfile

WORDS = """
able about above across act add afraid after again against age ago agree air
all allow almost alone along already also always among amount anger animal
answer any appear apple area arm army around arrive art ask attack aunt autumn
away baby back bad bag ball bank base basket bath bean bear beauty bed before
begin behind bell below best better between bird birth bit bite black bleed
block blood blow blue board boat body boil bone book border born borrow both
bottle bottom bowl box boy branch brave bread break breath bridge bright bring
brother brown brush build burn bus busy butter button buy cake call camera
candle cap car card care carry case castle cat catch cause cent chair chalk
chance change cheap cheese chest chicken child chin circle city class clean
clear climb clock cloth cloud coat coffee cold colour comb come common cook
copper corn corner count country cover cow crack cream crime cross crowd cry
cup curtain cushion cut damage dance danger dark daughter day dead deep desk
dinner dirty dish doctor dog door double dream dress drink drive drop dry duck
dust ear early earth east easy edge egg empty end engine enough equal evening
event exact example eye face fact fall family far farm fast fat father fear
feather field fight finger fire fish flag flat floor flower fly fold food foot
forest fork form fox frame free fresh friend front fruit full game garden gate
gift girl glass glove goat gold good grass green grey ground group grow guard
guess guide gun hair half hall hammer hand happy hard hat head heart heavy
hill hole holiday honey hook hope horn horse hospital hotel hour house hunger
hurry ice idea inch ink iron island jacket jelly jewel join journey judge jump
kettle key kick kind king kiss kitchen knee knife knot lake lamp land language
large laugh lead leaf learn leather left leg lemon letter level library lift
light limit line lion lip liquid list little lock long loose loud love low
lunch machine magic main map market marry match meal meat medicine meet melt
metal middle milk mind minute mirror mist money monkey month moon morning
mother mountain mouse mouth move music nail name narrow nation neck needle
nest net new news night noise north nose note number nurse nut ocean offer
office oil old onion open orange order oven owner page pain paint pair paper
parcel park party paste path peace pen pencil people pepper piano picture pig
pin pipe place plane plant plate play pocket point poison pole pool potato
powder power price prison prize pump purple push queen question quiet rabbit
rail rain rat reason red rice ring river road rock roof room root rope rose
round rule salt sand school science scissors sea season seat seed shade
shadow shape sheep shelf ship shirt shoe shop short shoulder silver simple
sister skin skirt sky sleep slope small smell smile smoke snake snow soap sock
soft soldier son song sound soup south space spoon spring square stage stamp
star station steam steel stick stone storm story street string sugar summer
sun supper swim table tail talk taste tax tea teeth tent thread throat thumb
ticket tiger time tin tired tongue tooth top town toy train tree trick trouble
truck tube tune turn twist umbrella uncle valley van vase voice wall war wash
watch water wave wax weather wheel whip whistle wind window wine wing winter
wire wolf woman wood wool word work worm wound year yellow young zebra
""".split()

FIRST = """james john robert michael william david richard joseph thomas charles
mary patricia jennifer linda elizabeth barbara susan jessica sarah karen anna
peter paul mark steven andrew kevin brian george edward laura emma olga ivan
maria jose carlos luis ana hans klaus petra julia marco giulia pierre sophie
wei li chen yuki kenji ahmed fatima omar ali""".split()
LAST = """smith johnson williams brown jones garcia miller davis rodriguez martinez
hernandez lopez wilson anderson thomas taylor moore jackson martin lee white
harris clark lewis walker hall young king wright scott green baker adams
nelson hill campbell mitchell roberts carter phillips evans turner muller
schmidt schneider fischer weber rossi russo bianchi ivanov petrov smirnov
wang zhang liu tanaka suzuki silva santos""".split()
RCPT_DOMAINS = """gmail.com yahoo.com hotmail.com outlook.com aol.com
mail.ru yandex.ru web.de gmx.de t-online.de orange.fr libero.it qq.com 163.com
comcast.net verizon.net btinternet.com shaw.ca bigpond.com uol.com.br
acme-widgets.com northwind-traders.com contoso-legal.com riverside-dental.net
bluepeak.io greenfield-school.org hansen-bau.de studio-luna.it
cityplumbing.co.uk sunrise-hotel.com.au""".split()
SENDER_DOMAINS = """mail.ru yandex.com gmail.com outlook.com hotmail.com
163.com aol.com protonmail.com zoho.com gmx.com inbox.lv rediffmail.com
vip-transfer.biz kingsley-law.org cloud-mailer.net sendmx.info
pacific-logistics.co ud-news.online promo-center.top mailer-7.xyz
fastcargo.site hotel-abc.com.ng school.edu.vn shop-ubiq.com.br
smtp-relay-9.ru posta.md eximbank-holdings.com""".split()
SHORTENERS = ["bit.ly", "tinyurl.com", "cutt.ly", "rebrand.ly", "is.gd"]
TLD_FOR_TOKEN = ["com", "net", "top", "xyz", "ru", "info", "site", "online"]
B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
SENSOR_IPS = ["198.51.100.23", "203.0.113.45", "192.0.2.77"]
PROBE_RCPTS = ["checkrelay.mx@gmail.com", "test.smtp.box@yandex.ru",
               "relayverify01@outlook.com", "kontrol.mail@mail.ru"]
MAILERS = ["Microsoft Outlook 16.0", "Microsoft Office Outlook 12.0",
           "PHPMailer 6.1.7 (https://github.com/PHPMailer/PHPMailer)",
           "Foxmail 7.2.25.228[cn]", "The Bat! (v4.0.24) Professional",
           "Mozilla Thunderbird", "Apple Mail (2.3445.104.11)",
           "Roundcube Webmail/1.4.11", None]
MONTHS = ["January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December"]
DOW = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MON3 = [m[:3] for m in MONTHS]


def tokn(r, n, alphabet=ALNUM):
    return "".join(r.choice(alphabet) for _ in range(n))


# ---- campaigns -------------------------------------------------------------
#
# A campaign: its label, its size at N = 5000, its structure (plain, html,
# alt = text + HTML, mixed = body + attachment), charset and the transfer
# encodings its copies use, link domains (some shared shorteners), link
# path style, hash-buster kinds, subjects and body. In the texts,
# {a|b|c} is one choice per copy and @@NAME@@ a per-copy value (fill()).

def C(label, size, struct, subjects, text, html=None, charset="utf-8",
      cte=("7bit", "quoted-printable", "base64"), domains=(), path="std",
      busters=(), attach=None, froms=None, lang="en", img=None,
      rcpt="pool"):
    return dict(label=label, size=size, struct=struct, subjects=subjects,
                text=text, html=html, charset=charset, cte=cte,
                domains=list(domains), path=path, busters=busters,
                attach=attach, froms=froms, lang=lang, img=img, rcpt=rcpt)


CAMPAIGNS = [
    # --- open-relay test probes: tiny, sent to the prober's own mailbox
    C("relay-probe-ip", 200, "plain",
      ["SMTP relay test @@IP@@", "Relay test @@IP@@"],
      "Test message sent to check open relay @@IP@@ at @@DATETIME@@\n"
      "Host: @@IP@@:25\n",
      cte=("7bit",), rcpt="probe"),
    C("relay-probe-id", 100, "plain", ["@@IP@@", "test @@IP@@"],
      "ID:@@HEX8@@\n", cte=("7bit",), rcpt="probe"),
    C("relay-probe-ru", 25, "plain", ["Проверка @@IP@@"],
      "Проверка работы сервера @@IP@@ - @@DATETIME@@. Не отвечайте.\n",
      charset="koi8-r", cte=("8bit", "base64"), rcpt="probe"),

    # --- 419 advance-fee: four different stories
    C("419-barrister", 180, "plain",
      ["{ATTENTION|Attention|Dear Friend}: NEXT OF KIN @@NUM4@@",
       "Re: Inheritance claim of late Engr. @@LASTNAME@@",
       "{URGENT|Urgent} reply needed"],
      "{Dear|Attn|Greetings} @@NAME@@,\n\n"
      "I am Barrister @@SENDERNAME@@, a solicitor at law and personal attorney "
      "to the late Engr. @@LASTNAME@@, a national of your country, who used to "
      "work with Shell Petroleum Development Company here in Lome, Togo. "
      "On the @@DATE@@, my client, his wife and their only daughter were "
      "involved in a car accident along Sagbama Express Road. All occupants of "
      "the vehicle unfortunately lost their lives.\n\n"
      "{Since then|Ever since} I have made several enquiries to locate any of "
      "my late client's extended relatives, this has {proved|been} "
      "unsuccessful. After these several unsuccessful attempts, I decided to "
      "contact you with this business partnership proposal. I have contacted "
      "you to assist in repatriating the fund valued at US$@@MILLIONS@@ "
      "Million Dollars left behind by my client before it gets confiscated or "
      "declared unserviceable by the Bank where this huge amount was deposited.\n\n"
      "{I seek your consent to present you as the next of kin|I want you to "
      "stand as the next of kin} of my late client so that the proceeds of this "
      "account can be paid to you. 50% will be for me, 40% for you while 10% "
      "will be used for any expenses incurred during the transaction.\n\n"
      "Please {reply|get back to me} through my private email "
      "@@REPLYTO@@ for more details.\n\n"
      "Best regards,\nBarrister @@SENDERNAME@@ (Esq)\nTel: @@PHONEINTL@@\n",
      cte=("7bit", "7bit", "quoted-printable")),
    C("419-widow", 80, "plain",
      ["{Dearest|My Dear} {one|in the Lord}", "Donation for charity @@NUM4@@",
       "From Mrs. @@SENDERNAME@@"],
      "{Dearest|My Dear|Beloved} {in Christ|one},\n\n"
      "I am Mrs. @@SENDERNAME@@, a widow to late @@LASTNAME@@, I am 61 years "
      "old, I am suffering from long time cancer of the breast. From all "
      "indication my condition is really deteriorating and it is quite obvious "
      "that I won't live more than {2|3} months according to my doctors. "
      "My late husband deposited the sum of $@@MILLIONS@@ Million in a bank "
      "in Burkina Faso and I have decided to donate it to a God fearing "
      "person who will use it for charity works, orphanages and widows.\n\n"
      "I found your email {address|contact} in my prayers and I want you to "
      "help me fulfil my last wish. Please reply with your full name, "
      "address and phone number.\n\n"
      "{Remain blessed|God bless you},\nMrs. @@SENDERNAME@@\n",
      cte=("7bit", "base64")),
    C("419-bank-dormant", 40, "plain",
      ["Confidential business proposal", "{Business|Partnership} proposal"],
      "Dear @@NAME@@,\n\n"
      "My name is @@SENDERNAME@@, I am the Head of Audit and Accounting "
      "department of Bank of Africa, Ouagadougou. In my department we "
      "discovered an abandoned sum of $@@MILLIONS@@ million US dollars in an "
      "account that belongs to one of our foreign customers who died along "
      "with his entire family in a plane crash.\n\n"
      "{Since we got information about his death|Since his death}, we have "
      "been expecting his next of kin to come over and claim his money because "
      "we cannot release it unless somebody applies for it as next of kin. "
      "I want to present you as the foreign business partner so that the fund "
      "will be transferred to your account. We will share 60% for me and 40% "
      "for you.\n\nReply to @@REPLYTO@@ with your direct telephone number.\n\n"
      "@@SENDERNAME@@\n",
      cte=("7bit",)),
    C("419-un-compensation", 20, "html",
      ["UNITED NATIONS COMPENSATION PAYMENT REF/@@NUM@@"],
      "Attention Beneficiary,\n\n"
      "The United Nations Compensation Commission has approved the payment "
      "of US$@@BIGAMOUNT@@,000.00 to you as one of the victims of scam and "
      "fraud. Your payment has been loaded into an ATM VISA card with ref no "
      "UNCC/@@NUM@@/2026. Contact the card center officer Mr. @@SENDERNAME@@ "
      "at @@REPLYTO@@ with your full name, address and telephone.\n\n"
      "Yours faithfully,\nMrs. Amina J. Mohammed\nDeputy Secretary-General\n",
      cte=("7bit", "quoted-printable")),

    # --- lotteries
    C("lottery-uk", 150, "plain",
      ["{WINNING NOTIFICATION|Winning Notification} Ref: @@CODE@@",
       "Your email has won £@@BIGAMOUNT@@,000"],
      "{CONGRATULATIONS|Congratulations}!!!\n\n"
      "We are pleased to inform you of the result of the UK National Lottery "
      "online draw held on @@DATE@@. Your email address @@EMAIL@@ attached to "
      "ticket number @@NUM@@ with serial number @@CODE@@ drew the lucky "
      "numbers and consequently won in the 2nd category. You have therefore "
      "been approved for a lump sum pay out of £@@BIGAMOUNT@@,000.00 GBP.\n\n"
      "To begin your claim, please contact our claims agent {Mr.|Dr.} "
      "@@SENDERNAME@@ at @@REPLYTO@@ quoting your reference number "
      "@@CODE@@ and batch number @@NUM4@@/@@NUM4@@.\n\n"
      "{Note|NB}: all winnings must be claimed not later than 14 days.\n"
      "Sincerely,\nMrs. Sarah Wellington (Lottery Coordinator)\n",
      cte=("7bit", "quoted-printable")),
    C("lottery-es", 25, "plain",
      ["Notificación de premio - Ref @@CODE@@", "Usted ha ganado @@BIGAMOUNT@@.000 EUR"],
      "{Estimado|Querido} ganador,\n\n"
      "Nos complace informarle que su dirección de correo electrónico ha "
      "resultado ganadora en el sorteo internacional de la Lotería El Gordo "
      "de España celebrado el @@DATE@@. Usted ha ganado la suma de "
      "@@BIGAMOUNT@@.000,00 euros. Número de referencia: @@CODE@@.\n\n"
      "Para reclamar su premio póngase en contacto con nuestro agente "
      "@@SENDERNAME@@ en @@REPLYTO@@ o llame al @@PHONEINTL@@.\n\n"
      "Atentamente,\nDña. María Gómez, Coordinadora\n",
      charset="iso-8859-1", cte=("quoted-printable", "8bit"), lang="es"),

    # --- bank phishing, twice against the same bank with different text
    C("phish-wf-suspended", 200, "alt",
      ["Your account has been {temporarily suspended|locked} #@@NUM4@@",
       "Wells Fargo: Action required on your account",
       "Important notice regarding your Wells Fargo account"],
      "{Dear|Hello} {Customer|Valued Customer|@@NAME@@},\n\n"
      "We have temporarily suspended your Wells Fargo Online account because "
      "we were unable to verify your information. To restore full access, "
      "please confirm your identity within 24 hours.\n\n"
      "Restore access: @@URL@@\n\n"
      "If you do not complete the verification, your account will be "
      "permanently limited.\n\nReference: @@CODE@@\n\n"
      "Wells Fargo Online Security\n(c) 2026 Wells Fargo. All rights reserved.\n",
      domains=["wf-secure-verify.com", "wellsfargo-online-restore.net",
               "wfonline-help.xyz", "cutt.ly"],
      path="login", busters=("comments",), img="logo"),
    C("phish-wf-signin", 60, "html",
      ["Unusual sign-in activity on your account",
       "New sign-in from @@CITY@@ device"],
      "We detected a sign-in to your Wells Fargo account from a new device "
      "on @@DATE@@ at @@TIME@@.\n\n"
      "Location: @@CITY@@\nIP address: @@RANDIP@@\n\n"
      "If this was you, you can ignore this message. If you don't recognise "
      "this activity, {review it now|secure your account} to keep your "
      "money safe: @@URL@@\n\nThanks,\nWells Fargo Fraud Prevention Team\n",
      domains=["wf-alerts-review.com", "wellsfargo-signin-check.info"],
      path="login", busters=("hidden",), img="logo"),
    C("phish-webmail-quota", 300, "html",
      ["Mailbox @@EMAIL@@ is {almost full|over quota}",
       "@@RDOMAIN@@ Mail Administrator: {pending messages|storage full}",
       "Action Required: @@NUM2@@ incoming messages on hold"],
      "{Dear|Hello|Hi} @@LOCAL@@,\n\n"
      "Your mailbox @@EMAIL@@ has exceeded the storage limit of 2GB and "
      "@@NUM2@@ incoming messages are currently {on hold|pending delivery}. "
      "To avoid losing your messages, please validate your account and "
      "increase your quota now.\n\nValidate @@EMAIL@@: @@URL@@\n\n"
      "This service is provided by @@RDOMAIN@@ Mail Administrator.\n"
      "Mailbox ID: @@HEX8@@\n",
      domains=["storage-upgrade.web.app", "mailquota-help.weebly.com",
               "rebrand.ly", "quota-validate.top", "bit.ly"],
      path="hash", busters=("comments", "hidden")),
    C("phish-m365-password", 180, "html",
      ["Password expiry notice for @@EMAIL@@",
       "Your Microsoft 365 password expires {today|in 24 hours}",
       "Microsoft account: keep current password"],
      "Microsoft 365\n\n"
      "The password to your mailbox @@EMAIL@@ expires today @@DATE@@. "
      "You can change your password or continue using your current "
      "password.\n\n{Keep current password|Keep Same Password}: @@URL@@\n\n"
      "Note: we won't be held responsible for any account loss.\n\n"
      "Microsoft respects your privacy. One Microsoft Way, Redmond, WA 98052\n",
      domains=["ms365-office-login.com", "sharepoint-docs-online.net",
               "bit.ly"],
      path="hash", busters=("comments",)),
    C("phish-m365-voicemail", 60, "mixed",
      ["{New|Missed} voicemail from @@PHONE@@ (0:@@NUM2@@)",
       "Voice Message received @@DATE@@"],
      "You have received a new voicemail message.\n\n"
      "From: @@PHONE@@\nReceived: @@DATE@@ @@TIME@@\nLength: 00:00:@@NUM2@@\n\n"
      "Open the attached audio file to listen to the message.\n\n"
      "Microsoft Teams Voice Service\n",
      domains=["teams-vm-audio.com"], path="hash",
      attach=("htm", "VM_@@NUM@@.htm")),

    # --- parcel phishing: two different campaigns
    C("phish-dhl-customs", 250, "alt",
      ["DHL: Your parcel is {on hold|held at customs} - @@TRACK@@",
       "Shipment notification @@TRACK@@",
       "DHL Express: delivery {pending|suspended}"],
      "{Dear|Hello} {customer|@@NAME@@},\n\n"
      "Your DHL Express parcel with tracking number @@TRACK@@ is {held at "
      "customs|on hold at our depot} because the import duties of "
      "@@SMALLAMOUNT@@ EUR have not been paid.\n\n"
      "Please pay the outstanding amount within 48 hours, otherwise the "
      "parcel will be returned to the sender.\n\nPay and schedule delivery: "
      "@@URL@@\n\nThank you for shipping with DHL.\nDHL Customer Service\n",
      domains=["dhl-express-track.top", "dhl-zoll-gebuehr.info",
               "parcel-status-check.site", "tinyurl.com"],
      path="track", busters=("hidden", "comments"), img="logo"),
    C("phish-parcel-redelivery", 80, "html",
      ["Delivery attempt failed: @@TRACK@@", "We missed you today",
       "Reschedule your delivery"],
      "USPS\n\n"
      "{We attempted|Our courier attempted} to deliver your package on "
      "@@DATE@@ but no one was available to sign for it. Your package "
      "@@TRACK@@ will be returned to the sender if not rescheduled within "
      "3 business days.\n\nReschedule delivery: @@URL@@\n\n"
      "A redelivery fee of $@@SMALLAMOUNT@@ applies.\n",
      domains=["usps-redelivery-center.com", "usps-track-help.net", "is.gd"],
      path="track", busters=("words",)),

    # --- invoice lures with an attachment
    C("invoice-zip", 150, "mixed",
      ["Invoice INV-@@NUM@@ {attached|from @@COMPANY@@}",
       "RE: Outstanding invoice @@NUM@@", "Payment due: INV-@@NUM@@"],
      "{Hello|Hi|Good morning},\n\n"
      "Please find attached invoice INV-@@NUM@@ dated @@DATE@@ for "
      "@@BIGAMOUNT@@.@@NUM2@@ USD. {Kindly|Please} arrange payment at your "
      "earliest convenience.\n\n{Regards|Best regards|Kind regards},\n"
      "@@SENDERNAME@@\nAccounts Receivable, @@COMPANY@@\n",
      attach=("zip", "INV-@@NUM@@.zip")),
    C("swift-pdf", 40, "mixed",
      ["Swift copy", "Payment advice - @@NUM@@", "TT copy @@DATE@@"],
      "Dear sir,\n\nAttached is the swift copy of payment made today. "
      "Please confirm.\n\nBest Regards\n",
      attach=("pdf", "SWIFT_COPY_@@NUM@@.pdf.exe")),

    # --- sextortion
    C("sextortion-hacked", 200, "plain",
      ["{I know|I have} {everything|all} about you",
       "Your account @@EMAIL@@ is hacked", "Security alert: @@CODE@@"],
      "{Hello|Hi} @@LOCAL@@!\n\n"
      "I have to share bad news with you. Approximately a few months ago I "
      "have gained access to your devices, which you use for internet "
      "browsing. After that, I have started tracking your internet "
      "activities.\n\nHere is the sequence of events: Some time ago I have "
      "purchased access to email accounts from hackers. It was easy to log "
      "into your email @@EMAIL@@. One week later I installed a Trojan virus "
      "on the operating systems of all the devices you use.\n\n"
      "I have recorded a video of you satisfying yourself while watching "
      "adult videos. {It takes me one click|With one click I can} send "
      "this video to all your contacts.\n\n"
      "Transfer $@@BTCUSD@@ to my bitcoin wallet: @@BTC@@\n\n"
      "After receiving the payment, I will delete the video. You have 48 "
      "hours. The timer started when you opened this email.\n",
      cte=("7bit", "quoted-printable", "base64"), busters=("tail",)),
    C("sextortion-password", 70, "plain",
      ["@@PASSWORD@@", "{Your|Ur} password is @@PASSWORD@@"],
      "I'm aware that @@PASSWORD@@ is your password.\n\n"
      "You don't know me and you're thinking why you are receiving this "
      "email, right? Well, I placed a malware on the adult video site and "
      "guess what, you visited this site to have fun. While you were "
      "watching videos, your browser started functioning as an RDP with a "
      "keylogger which gave me accessibility to your screen and webcam.\n\n"
      "I am asking $@@BTCUSD@@. You'll make the payment via Bitcoin.\n"
      "BTC Address: @@BTC@@\n(It is cAsE sensitive, so copy and paste it)\n\n"
      "You have one day to make the payment.\n",
      cte=("7bit",)),
    C("sextortion-de", 25, "plain",
      ["Ich habe Zugriff auf Ihr Gerät", "Sicherheitswarnung @@CODE@@"],
      "Hallo!\n\nIch habe schlechte Nachrichten für Sie. Vor einigen Monaten "
      "habe ich Zugriff auf Ihre Geräte erhalten, die Sie zum Surfen im "
      "Internet verwenden. Ich habe ein Video aufgenommen, auf dem Sie sich "
      "selbst befriedigen.\n\nÜberweisen Sie @@BTCUSD@@ USD in Bitcoin an "
      "diese Adresse: @@BTC@@\n\nSie haben 48 Stunden Zeit. Danach sende ich "
      "das Video an alle Ihre Kontakte.\n",
      cte=("8bit", "quoted-printable"), lang="de"),

    # --- pharma, replica, dating
    C("pharma-hashbust", 500, "html",
      ["{V1agra|VlAGRA|Viagra} {-80%|80% OFF} @@WORD@@",
       "{Cheap|Best} meds {online|for you} @@WORD@@ @@WORD@@",
       "@@NAME@@, your order #@@NUM4@@"],
      "{Hello|Hi} @@NAME@@\n\n"
      "{Viagra|V1agra} from $0.@@NUM2@@ per pill. Cialis from $1.@@NUM2@@. "
      "Levitra, Propecia, Xanax, Valium. No prescription required! "
      "{Discreet|Worldwide} shipping, 100% satisfaction guaranteed.\n\n"
      "ORDER NOW: @@URL@@\n\n",
      domains=["pills-rx-store.ru", "canadian-med-shop.su", "bit.ly",
               "ed-pharma-best.top"],
      path="short", busters=("para", "hidden", "comments")),
    C("pharma-short", 100, "plain",
      ["Canadian pharmacy", "{Meds|Pills} online @@NUM4@@"],
      "Canadian Pharmacy: {Viagra|Cialis} -@@NUM2@@% today only\n@@URL@@\n",
      domains=["canpharm-online.ru", "tinyurl.com"], path="short",
      busters=("words",), cte=("7bit",)),
    C("replica-watches", 120, "html",
      ["{Rolex|Omega|Breitling} replica {sale|-70%}",
       "Luxury watches at @@NUM2@@% off"],
      "Swiss Replica Watches\n\n"
      "Rolex, Omega, Breitling, Tag Heuer, Patek Philippe - {perfect|1:1} "
      "copies with Swiss movement. Prices from $@@SMALLAMOUNT@@.\n\n"
      "Free shipping worldwide. {Visit|Browse} our store: @@URL@@\n",
      domains=["replica-swiss-time.com", "watches-lux-copy.net"],
      path="std", busters=("words", "comments"), img="product"),
    C("dating-anna", 150, "plain",
      ["{Hi|Hello} @@FIRST@@, I saw your profile",
       "{Anna|Natalia|Olga} wants to meet you", "Re: our chat"],
      "{Hi|Hello|Hey} @@FIRST@@!\n\n"
      "My name is @@SENDERFIRST@@, I am 28 years old and I live in "
      "{Moscow|Kiev|Minsk}. I saw your profile on a dating site and I "
      "decided to write to you. I am looking for a serious relationship "
      "with a man from another country.\n\n"
      "I have attached nothing here, but you can see my photos on my "
      "page: @@URL@@\n\nI hope you will write me back.\n@@SENDERFIRST@@\n",
      domains=["love-meet-now.ru", "datingslavic.com", "cutt.ly"],
      path="std", busters=("tail",)),
    C("dating-local", 50, "html",
      ["{Lonely|Bored} women in {your area|@@CITY@@}",
       "@@NUM2@@ women near you want to chat"],
      "@@NUM2@@ {lonely|bored} housewives in @@CITY@@ are waiting for you "
      "tonight. No strings attached.\n\nSee photos: @@URL@@\n\n"
      "Unsubscribe: @@URL2@@\n",
      domains=["hot-local-dates.xyz", "bit.ly"], path="short",
      busters=("hidden",), img="product"),

    # --- crypto, SEO, loans, jobs
    C("crypto-platform", 120, "alt",
      ["{Elon Musk|Bill Gates} reveals new way to earn $@@BIGAMOUNT@@/day",
       "{Bitcoin|Crypto} platform: @@NUM2@@x profit"],
      "{Breaking|Exclusive}: the new AI trading platform made ordinary "
      "people earn $@@BIGAMOUNT@@ per day with an investment of only $250.\n\n"
      "Our automated trading system uses artificial intelligence to buy "
      "low and sell high. {Register now|Join today}, spots are limited: "
      "@@URL@@\n\nRisk warning: trading involves risk.\n",
      domains=["quantum-ai-profit.com", "btc-trader-pro.top",
               "rebrand.ly"], path="track", busters=("hidden", "comments"),
      img="product"),
    C("crypto-withdraw", 40, "plain",
      ["You have 0.@@NUM2@@ BTC {waiting|pending}"],
      "Your account balance: 0.@@NUM4@@ BTC\nWithdraw now: @@URL@@\n",
      domains=["btc-balance-claim.site"], path="hash", cte=("7bit",)),
    C("seo-ranking", 265, "plain",
      ["{Proposal|Quote} for @@RDOMAIN@@",
       "Re: {SEO|Google ranking} for @@RDOMAIN@@",
       "{Website|Site} audit @@RDOMAIN@@"],
      "{Hello|Hi} {Team|there|Business Owner},\n\n"
      "I was {checking|looking at} your website @@RDOMAIN@@ and saw that it "
      "is not ranking on the first page of Google for your main keywords. "
      "We can help you get more traffic and leads with our SEO services: "
      "link building, on-page optimisation and local SEO.\n\n"
      "{Shall I send you a free audit report?|Can I send you a proposal?} "
      "Please reply with your phone number.\n\n"
      "{Thanks|Regards|Best},\n@@SENDERNAME@@\nSEO Consultant\n\n"
      "If you don't want to receive emails, reply with \"Remove\".\n",
      cte=("7bit", "quoted-printable")),
    C("web-design-india", 50, "plain",
      ["Mobile app and website design", "Re: website redesign"],
      "Hi,\n\nAre you looking for a mobile app or a new website at an "
      "affordable price? We are a team of 40+ developers in India working "
      "on iOS, Android, React and WordPress projects since 2012.\n\n"
      "Please {share|send} your requirements and we will send you a quote.\n\n"
      "Thanks & Regards,\n@@SENDERNAME@@\nBusiness Development Manager\n",
      cte=("7bit",)),
    C("loan-offer", 100, "plain",
      ["Loan offer at 2% interest", "{Do you need a loan?|Need financing?}"],
      "{Greetings|Hello},\n\nDo you need a loan to pay your bills, start a "
      "business or buy a house? We offer personal and business loans from "
      "$5,000 to $5,000,000 at a low interest rate of 2% per annum.\n\n"
      "Contact us with the loan amount and duration at @@REPLYTO@@.\n\n"
      "@@SENDERNAME@@, Loan Officer\nWhatsApp: @@PHONEINTL@@\n",
      cte=("7bit", "base64")),
    C("job-money-mule", 80, "plain",
      ["Remote {position|job}: payment processing agent",
       "Job offer - €@@BIGAMOUNT@@/month part time"],
      "{Dear|Hello} @@NAME@@,\n\n"
      "We are an international logistics company looking for a payment "
      "processing agent in your country. The work takes 2-3 hours a day "
      "from home. You will receive payments from our clients to your bank "
      "account and forward them to our partners, keeping 10% commission.\n\n"
      "Salary: €@@BIGAMOUNT@@ per month plus commission.\n\n"
      "If interested, reply with your CV to @@REPLYTO@@.\n\nHR department\n",
      cte=("7bit", "quoted-printable")),

    # --- fake renewals, gift cards, tax refund, docusign
    C("fake-antivirus", 130, "alt",
      ["Your {Norton|McAfee} subscription has been renewed #@@NUM@@",
       "Order confirmation @@NUM@@", "Invoice for your renewal"],
      "{Dear|Hello} @@NAME@@,\n\n"
      "Thank you for renewing your Norton 360 Total Protection "
      "subscription. Your payment of $@@AMOUNT@@ has been processed.\n\n"
      "Order number: @@NUM@@\nDate: @@DATE@@\nProduct: Norton 360 Deluxe "
      "(5 devices)\n\nIf you did not authorise this charge, please call our "
      "billing department at @@PHONE@@ within 24 hours to cancel and get a "
      "refund.\n\nNortonLifeLock Billing\n",
      busters=("hidden",), img="logo"),
    C("giftcard-survey", 180, "html",
      ["{Congratulations|Congrats}! You've been selected @@CODE@@",
       "Your $500 {Walmart|Costco} gift card is waiting",
       "@@NAME@@: claim your reward"],
      "{Congratulations|Congrats} @@NAME@@!\n\n"
      "You have been selected to take part in our 30-second customer "
      "survey. As a thank you, you can claim a $500 {Walmart|Costco} gift "
      "card.\n\nStart survey: @@URL@@\n\nThis offer expires on @@DATE@@.\n\n"
      "To unsubscribe click here: @@URL2@@\n",
      domains=["reward-survey-center.com", "bit.ly", "tinyurl.com",
               "giftcard-winner.xyz"], path="track",
      busters=("hidden", "comments", "para"), img="product"),
    C("tax-refund-hmrc", 20, "alt",
      ["HMRC: You are eligible for a tax refund", "Tax refund £@@AMOUNT@@"],
      "HM Revenue & Customs\n\nAfter the last annual calculation of your "
      "fiscal activity we have determined that you are eligible to receive "
      "a tax refund of £@@AMOUNT@@. Please submit the tax refund request "
      "and allow us 3-5 days to process it.\n\nClaim your refund: @@URL@@\n",
      domains=["hmrc-refund-gov.uk.com"], path="login"),
    C("docusign", 12, "html",
      ["@@SENDERNAME@@ sent you a document to review and sign"],
      "DocuSign\n\n@@SENDERNAME@@ sent you a document to review and sign.\n\n"
      "REVIEW DOCUMENT: @@URL@@\n\nPlease do not share this email.\n",
      domains=["docu-sign-review.web.app"], path="hash"),

    # --- other languages, legacy charsets
    C("ru-client-bases", 100, "plain",
      ["Базы данных клиентов @@NUM4@@", "Клиентские базы {для продаж|для вашего бизнеса}"],
      "{Здравствуйте|Добрый день}!\n\n"
      "Соберём для Вас базы данных потенциальных клиентов по любым "
      "регионам и сферам деятельности. Телефоны, адреса, e-mail, сайты, "
      "виды деятельности. Сделаем рассылку по Вашей базе.\n\n"
      "Узнайте подробнее: Skype: prodawez@@NUM2@@ Телефон: @@PHONERU@@\n",
      charset="windows-1251", cte=("base64", "8bit", "quoted-printable"),
      lang="ru"),
    C("ru-seminar", 25, "plain",
      ["Семинар для бухгалтеров @@DATE@@"],
      "Приглашаем главных бухгалтеров на семинар «Изменения в налоговом "
      "законодательстве 2026». Дата: @@DATE@@. Место: Москва, ул. Тверская, "
      "д. @@NUM2@@. Стоимость участия: @@BIGAMOUNT@@ руб.\n\n"
      "Запись по телефону @@PHONERU@@\n",
      charset="koi8-r", cte=("base64", "quoted-printable"), lang="ru"),
    C("cn-invoices", 130, "plain",
      ["代开各地正规发票@@NUM4@@", "{您好|你好}，发票业务"],
      "{您好|你好}！\n\n本公司代开各地正规发票：增值税、运输、广告、餐饮、"
      "建筑安装等。点数优惠，可先验票后付款。\n\n联系人：@@CNNAME@@\n"
      "电话：1@@NUM4@@@@NUM4@@@@NUM2@@\nQQ：@@NUM@@\n",
      charset="gb2312", cte=("base64",), lang="zh"),
    C("cn-trade-leads", 30, "html",
      ["外贸客户开发软件 {免费试用|限时优惠}"],
      "外贸人都在用的客户开发工具！\n\n海关数据、邮箱营销、社交媒体获客，"
      "一站式解决。现在注册免费试用@@NUM2@@天：@@URL@@\n",
      charset="utf-8", cte=("base64",), domains=["waimao-soft.cn"],
      path="std", lang="zh"),
    C("pt-boleto", 80, "alt",
      ["Boleto em aberto - Nota Fiscal @@NUM@@",
       "Aviso de cobrança Nº @@NUM@@"],
      "{Prezado|Caro} cliente,\n\n"
      "Informamos que consta em nosso sistema um boleto em aberto referente "
      "à Nota Fiscal Eletrônica Nº @@NUM@@ no valor de R$ @@AMOUNT@@, com "
      "vencimento em @@DATE@@.\n\nPara visualizar o boleto e a nota fiscal, "
      "acesse: @@URL@@\n\nAtenciosamente,\nDepartamento Financeiro\n",
      charset="iso-8859-1", cte=("quoted-printable", "base64"),
      domains=["nfe-boleto-online.com.br", "is.gd"], path="track", lang="pt"),
    C("es-prestamo", 40, "plain",
      ["Préstamo rápido sin aval", "{Necesita|¿Necesita} dinero?"],
      "{Hola|Buenos días},\n\nOfrecemos préstamos personales desde 3.000 € "
      "hasta 500.000 € con un interés del 2% anual. Sin aval, respuesta en "
      "24 horas.\n\nContacto: @@REPLYTO@@ WhatsApp @@PHONEINTL@@\n",
      charset="utf-8", cte=("8bit", "quoted-printable"), lang="es"),
    C("de-sparkasse", 60, "alt",
      ["Sparkasse: Ihr Konto wurde {gesperrt|eingeschränkt}",
       "Wichtige Mitteilung zu Ihrem Konto @@CODE@@"],
      "Sehr geehrte Kundin, sehr geehrter Kunde,\n\n"
      "aufgrund neuer gesetzlicher Vorgaben (PSD2) müssen Sie Ihr "
      "S-pushTAN-Verfahren bis zum @@DATE@@ aktualisieren. Andernfalls wird "
      "Ihr Online-Banking-Zugang gesperrt.\n\nJetzt aktualisieren: @@URL@@\n\n"
      "Mit freundlichen Grüßen\nIhre Sparkasse\n",
      charset="iso-8859-15", cte=("quoted-printable", "8bit"),
      domains=["sparkasse-pushtan-update.de.com", "s-sicherheit.online"],
      path="login", lang="de"),

    # --- newsletters, short spams, tiny campaigns
    C("newsletter-deals", 100, "html",
      ["{Weekly|This week's} deals: up to @@NUM2@@% off",
       "@@FIRST@@, {don't miss|last chance for} these offers"],
      "Hot deals of the week\n\n"
      "Smart TV 55\" 4K - $@@AMOUNT@@ | Wireless earbuds - $@@NUM2@@.99 | "
      "Robot vacuum - $@@AMOUNT@@ | Air fryer - $@@NUM2@@.99\n\n"
      "Shop now: @@URL@@\n\nYou receive this email because you subscribed "
      "to our newsletter. Unsubscribe: @@URL2@@\n",
      domains=["deals-weekly-mail.com", "shopnow-promo.top"],
      path="track", busters=("hidden", "comments"), img="gallery"),
    C("short-work-home", 70, "plain",
      ["Make $@@BIGAMOUNT@@ a week from home", "{Easy|Simple} job"],
      "{Earn|Make} $@@BIGAMOUNT@@ a week from home, no experience needed.\n"
      "@@URL@@\n",
      domains=["easy-cash-home.xyz", "bit.ly"], path="short", cte=("7bit",)),
    C("tiny-business-proposal", 5, "plain",
      ["Business proposal"],
      "I have a business proposal for you, reply for details.\n"
      "@@SENDERNAME@@\n", cte=("7bit",)),
    C("tiny-relative", 8, "plain",
      ["Important matter", "Your late relative"],
      "Please contact me for an important matter concerning your late "
      "relative who died in {2019|2020}. Reply to @@REPLYTO@@\n",
      cte=("7bit",)),
]


# ---- per-copy values -------------------------------------------------------

def recipient_name(local):
    parts = [p for p in re.split(r"[._\-0-9]+", local) if p]
    return " ".join(p.capitalize() for p in parts) or local


def rand_date(r, lang):
    if lang != "en":
        return "%02d.%02d.2026" % (r.randint(1, 28), r.randint(1, 4))
    return "%s %d, 2026" % (r.choice(MONTHS[:4]), r.randint(1, 28))


def rand_btc(r):
    return "bc1q" + tokn(r, 38, "023456789acdefghjklmnpqrstuvwxyz")


class Copy:
    """The values of one copy: recipient, sender, links."""

    def __init__(self, r, camp, rcpt):
        self.r = r
        self.camp = camp
        self.rcpt = rcpt
        self.local, self.rdomain = rcpt.split("@", 1)
        self.sfirst = r.choice(FIRST).capitalize()
        self.slast = r.choice(LAST).capitalize()
        self.urls = {}
        self.domain = None
        if camp["domains"]:
            self.domain = r.choice(camp["domains"])

    def url(self, key):
        if key in self.urls:
            return self.urls[key]
        r = self.r
        d = self.domain or "example.net"
        style = self.camp["path"]
        if d in SHORTENERS or style == "short":
            u = "https://%s/%s" % (d, tokn(r, r.randint(6, 8)))
        elif style == "login":
            u = "https://%s%s/%s/login.php?session=%s" % (
                r.choice(["", "secure.", "online.", "www."]), d,
                tokn(r, 5).lower(), tokn(r, 32))
        elif style == "track":
            u = "https://%s/track/%d/%s?c=%s" % (
                d, r.randint(1000, 99999), tokn(r, 12),
                self.camp["label"][:3] + tokn(r, 4))
        elif style == "hash":
            u = "https://%s/%s#%s" % (d, tokn(r, 10).lower(), self.rcpt)
        else:
            u = "http://%s/%s/%s.html" % (d, r.choice(WORDS),
                                          tokn(r, 8).lower())
        if key == "URL2":
            u = "https://%s/unsubscribe?u=%s" % (
                d if d not in SHORTENERS else "list-manage-mail.com",
                tokn(r, 20))
        self.urls[key] = u
        return u

    def value(self, name):
        r = self.r
        if name in ("URL", "URL2"):
            return self.url(name)
        simple = {
            "NAME": lambda: recipient_name(self.local),
            "FIRST": lambda: recipient_name(self.local).split(" ")[0],
            "LOCAL": lambda: self.local,
            "EMAIL": lambda: self.rcpt,
            "RDOMAIN": lambda: self.rdomain,
            "SENDERNAME": lambda: "%s %s" % (self.sfirst, self.slast),
            "SENDERFIRST": lambda: self.sfirst,
            "LASTNAME": lambda: r.choice(LAST).capitalize(),
            "REPLYTO": lambda: "%s.%s%d@%s" % (
                self.sfirst.lower(), self.slast.lower(), r.randint(1, 99),
                r.choice(["gmail.com", "outlook.com", "yahoo.com",
                          "protonmail.com"])),
            "MILLIONS": lambda: "%d.%d" % (r.randint(2, 45), r.randint(1, 9)),
            "BIGAMOUNT": lambda: "{:,}".format(r.randint(1000, 9999)),
            "AMOUNT": lambda: "%d.%02d" % (r.randint(100, 999),
                                           r.randint(0, 99)),
            "SMALLAMOUNT": lambda: "%d.%02d" % (r.randint(1, 99),
                                                r.randint(0, 99)),
            "BTCUSD": lambda: str(r.choice([950, 1200, 1350, 1500, 2000])),
            "NUM": lambda: str(r.randint(100000, 999999999)),
            "NUM4": lambda: str(r.randint(1000, 9999)),
            "NUM2": lambda: str(r.randint(10, 99)),
            "DATE": lambda: rand_date(r, self.camp["lang"]),
            "TIME": lambda: "%02d:%02d" % (r.randint(0, 23), r.randint(0, 59)),
            "DATETIME": lambda: "2026-%02d-%02d %02d:%02d:%02d" % (
                r.randint(1, 3), r.randint(1, 28), r.randint(0, 23),
                r.randint(0, 59), r.randint(0, 59)),
            "PHONE": lambda: "+1 (8%02d) %03d-%04d" % (
                r.randint(0, 99), r.randint(200, 999), r.randint(0, 9999)),
            "PHONEINTL": lambda: r.choice(["+234 80%d %07d", "+44 74%d %07d",
                                           "+228 9%d %07d"]) % (
                r.randint(1, 9), r.randint(0, 9999999)),
            "PHONERU": lambda: "+7 (9%02d) %03d-%02d-%02d" % (
                r.randint(0, 99), r.randint(100, 999), r.randint(0, 99),
                r.randint(0, 99)),
            "IP": lambda: r.choice(SENSOR_IPS),
            "RANDIP": lambda: "%d.%d.%d.%d" % (
                r.randint(11, 223), r.randint(0, 255), r.randint(0, 255),
                r.randint(1, 254)),
            "HEX8": lambda: tokn(r, 8, "0123456789abcdef"),
            "CODE": lambda: "%s-%s" % (tokn(r, 3).upper(), tokn(r, 4).upper()),
            "TRACK": lambda: r.choice(["JD%018d", "%010d", "LX%09dDE"]) % (
                r.randint(0, 10 ** 9)),
            "BTC": lambda: self.camp["btc"][r.randrange(len(self.camp["btc"]))],
            "PASSWORD": lambda: r.choice(WORDS) + str(r.randint(1, 9999)),
            "CITY": lambda: r.choice(["Lagos", "Bucharest", "Hanoi", "Moscow",
                                      "Sao Paulo", "Manila", "Dallas"]),
            "COMPANY": lambda: r.choice(LAST).capitalize() + r.choice(
                [" Ltd", " GmbH", " LLC", " & Co", " Trading"]),
            "WORD": lambda: r.choice(WORDS),
            "CNNAME": lambda: r.choice(["王经理", "李小姐", "张先生", "刘经理"]),
        }
        return simple[name]()


SPIN = re.compile(r"\{([^{}]*\|[^{}]*)\}")
PLACE = re.compile(r"@@([A-Z0-9]+)@@")


def fill(text, cp):
    text = SPIN.sub(lambda m: cp.r.choice(m.group(1).split("|")), text)
    return PLACE.sub(lambda m: cp.value(m.group(1)), text)


def buster_words(r, lo, hi):
    return " ".join(r.choice(WORDS) for _ in range(r.randint(lo, hi)))


def buster_para(r):
    out = []
    for _ in range(r.randint(2, 5)):
        s = buster_words(r, 6, 14)
        out.append(s[0].upper() + s[1:] + ".")
    return " ".join(out)


def text_busters(r, camp, text):
    b = camp["busters"]
    if "words" in b:
        text += "\n\n" + buster_words(r, 8, 30) + "\n"
    if "tail" in b:
        text += "\n\n" + "\n".join(tokn(r, r.randint(12, 40))
                                   for _ in range(r.randint(1, 3))) + "\n"
    if "para" in b and camp["struct"] != "html":
        text += "\n\n" + buster_para(r) + "\n"
    return text


URLRE = re.compile(r"(https?://[^\s<>\"]+)")


def html_escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_html(r, camp, cp, text):
    """The HTML a spam kit would make of TEXT: a table layout, a logo or
    product images, links as anchors, busters hidden in it."""
    b = camp["busters"]
    paras = [p for p in text.split("\n\n") if p.strip()]
    body = []
    for p in paras:
        h = html_escape(p)
        h = URLRE.sub(lambda m: '<a href="%s" style="color:#0645ad">%s</a>' % (
            m.group(1), r.choice(camp["anchors"]) if
            "unsubscribe" not in m.group(1) else "Unsubscribe"), h)
        h = h.replace("\n", "<br>\n")
        body.append("<p style=\"margin:0 0 14px 0\">%s</p>" % h)
        if "comments" in b and r.random() < 0.5:
            body.append("<!-- %s -->" % tokn(r, r.randint(8, 30)))
        if "hidden" in b and r.random() < 0.4:
            body.append('<span style="display:none;font-size:0px">%s</span>' %
                        buster_words(r, 3, 12))
    if "para" in b:
        body.append('<div style="color:#ffffff;font-size:1px">%s</div>' %
                    buster_para(r))
    host = (cp.domain if cp.domain and cp.domain not in SHORTENERS
            else "cdn-img-%s.com" % camp["label"].split("-")[0])
    imgs = ""
    if camp["img"] == "logo":
        imgs = '<img src="https://%s/img/logo.png" width="160" alt="logo">' % host
    elif camp["img"] == "product":
        imgs = '<img src="https://%s/i/%s.jpg" width="480" alt="">' % (
            host, tokn(r, 10).lower())
    elif camp["img"] == "gallery":
        imgs = "\n".join(
            '<td><img src="https://%s/p/%d.jpg" width="140" alt="deal"></td>'
            % (host, r.randint(100, 999)) for _ in range(4))
        imgs = "<table><tr>%s</tr></table>" % imgs
    pre = ""
    if "hidden" in b:
        pre = ('<div style="display:none;max-height:0;overflow:hidden">%s'
               '</div>\n' % buster_words(r, 4, 10))
    width = r.choice(["600", "640", "100%"])
    return ("<!DOCTYPE html>\n<html><head><meta http-equiv=\"Content-Type\" "
            "content=\"text/html; charset=%s\"><title></title></head>\n"
            "<body style=\"font-family:Arial,Helvetica,sans-serif;font-size:14px\">\n"
            "%s<table width=\"%s\" cellpadding=\"0\" cellspacing=\"0\" "
            "align=\"center\"><tr><td>\n%s\n%s\n</td></tr></table>\n"
            "</body></html>\n" % (camp["charset"], pre, width, imgs, "\n".join(body)))


# ---- MIME ------------------------------------------------------------------

def encode_body(r, camp, data, is_text=True):
    """(CTE, encoded bytes with CRLF) of DATA in one of the campaign's
    encodings; 7bit/8bit picks the one the bytes need."""
    cte = r.choice(camp["cte"])
    if cte in ("7bit", "8bit"):
        cte = "7bit" if all(c < 128 for c in data) else "8bit"
        out = data
    elif cte == "quoted-printable":
        out = quopri.encodestring(data)
    else:
        out = base64.encodebytes(data)
    out = out.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    if not out.endswith(b"\r\n"):
        out += b"\r\n"
    return cte, out


def enc_header(r, s, charset):
    if all(ord(c) < 128 for c in s):
        return s
    raw = s.encode(charset, errors="replace")
    if r.random() < 0.5:
        return "=?%s?B?%s?=" % (charset, base64.b64encode(raw).decode())
    q = "".join(chr(c) if (48 <= c < 58 or 65 <= c < 91 or 97 <= c < 123)
                else "_" if c == 32 else "=%02X" % c for c in raw)
    return "=?%s?Q?%s?=" % (charset, q)


def leaf(r, camp, ctype, text):
    cs = camp["charset"]
    data = text.replace("\r\n", "\n").encode(cs, errors="replace")
    cte, body = encode_body(r, camp, data)
    head = "Content-Type: %s; charset=%s\r\nContent-Transfer-Encoding: %s\r\n" % (
        ctype, cs if r.random() < 0.7 else '"%s"' % cs, cte)
    return head.encode(), body


def attachment(r, camp, cp):
    kind, name = camp["attach"]
    name = fill(name, cp)
    if kind == "zip":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            zi = zipfile.ZipInfo(name[:-4] + ".js", (2026, 1, 1, 0, 0, 0))
            z.writestr(zi, "var _0x%s=['%s'];WScript.Sleep(%d);\n" % (
                tokn(r, 6), tokn(r, 40), r.randint(100, 9999)))
        data, ctype = buf.getvalue(), "application/zip"
    elif kind == "pdf":
        data = (b"%PDF-1.4\n1 0 obj<<>>endobj\n" + bytes(
            r.getrandbits(8) for _ in range(r.randint(200, 600))) +
            b"\n%%EOF\n")
        ctype = "application/pdf"
    else:
        data = ("<html><script>window.location='%s'</script></html>\n" %
                cp.url("URL")).encode()
        ctype = "text/html"
    b = base64.encodebytes(data).replace(b"\n", b"\r\n")
    head = ("Content-Type: %s; name=\"%s\"\r\nContent-Disposition: attachment; "
            "filename=\"%s\"\r\nContent-Transfer-Encoding: base64\r\n" % (
                ctype, name, name))
    return head.encode(), b


def boundary(r):
    return r.choice(["----=_NextPart_000_%04X_%08X.%08X" % (
        r.getrandbits(16), r.getrandbits(32), r.getrandbits(32)),
        "=_%s" % tokn(r, 28), "b1_%s" % tokn(r, 32, "0123456789abcdef")])


def multipart(r, subtype, parts):
    bnd = boundary(r)
    head = 'Content-Type: multipart/%s;\r\n\tboundary="%s"\r\n' % (subtype, bnd)
    out = b"This is a multi-part message in MIME format.\r\n\r\n"
    for h, b in parts:
        out += b"--" + bnd.encode() + b"\r\n" + h + b"\r\n" + b
    out += b"--" + bnd.encode() + b"--\r\n"
    return head.encode(), out


def message(r, camp, rcpt):
    cp = Copy(r, camp, rcpt)
    text = fill(camp["text"], cp)
    st = camp["struct"]
    if st in ("html",):
        body = leaf(r, camp, "text/html", to_html(r, camp, cp, text))
    elif st == "alt":
        body = multipart(r, "alternative", [
            leaf(r, camp, "text/plain", text_busters(r, camp, text)),
            leaf(r, camp, "text/html", to_html(r, camp, cp, text))])
    else:
        body = leaf(r, camp, "text/plain", text_busters(r, camp, text))
    if camp["attach"]:
        body = multipart(r, "mixed", [body, attachment(r, camp, cp)])
    cs = camp["charset"]
    subj = enc_header(r, fill(r.choice(camp["subjects"]), cp), cs)
    if camp["froms"]:
        fname = r.choice(camp["froms"])
    else:
        fname = "%s %s" % (cp.sfirst, cp.slast)
    faddr = "%s%s@%s" % (r.choice(["", "info.", "no-reply.", "admin"]),
                         (cp.sfirst + r.choice([".", "_", ""]) + cp.slast).lower()
                         + str(r.randint(0, 999)), r.choice(SENDER_DOMAINS))
    day = r.randint(1, 28)
    date = "%s, %d %s 2026 %02d:%02d:%02d %s" % (
        r.choice(DOW), day, r.choice(MON3[:3]), r.randint(0, 23),
        r.randint(0, 59), r.randint(0, 59), r.choice(["+0000", "+0100",
                                                      "-0700", "+0800",
                                                      "+0300"]))
    to = rcpt if r.random() < 0.5 else '"%s" <%s>' % (
        recipient_name(cp.local), rcpt)
    heads = [
        "Received: from %s (unknown [%d.%d.%d.%d])\r\n\tby %s with SMTP; %s"
        % (tokn(r, 8).lower(), r.randint(11, 223), r.randint(0, 255),
           r.randint(0, 255), r.randint(1, 254), r.choice(SENSOR_IPS), date),
        "Message-ID: <%s.%s@%s>" % (tokn(r, 16), tokn(r, 6),
                                    faddr.split("@")[1]),
        "Date: %s" % date,
        "From: %s <%s>" % (enc_header(r, fname, cs), faddr),
        "To: %s" % to,
        "Subject: %s" % subj,
    ]
    if "@@REPLYTO@@" in camp["text"] and r.random() < 0.6:
        heads.append("Reply-To: %s" % cp.value("REPLYTO"))
    mailer = r.choice(MAILERS)
    if mailer:
        heads.append("X-Mailer: %s" % mailer)
    heads.append("MIME-Version: 1.0")
    return ("\r\n".join(heads) + "\r\n").encode() + body[0] + b"\r\n" + body[1]


def recipients(r, n):
    out = []
    for _ in range(n):
        f, l = r.choice(FIRST), r.choice(LAST)
        local = r.choice(["%s.%s" % (f, l), "%s%s" % (f[0], l), f,
                          "%s_%s%d" % (f, l, r.randint(1, 99)),
                          "%s%d" % (l, r.randint(1, 9999)), "info", "sales",
                          "contact", "office"])
        out.append("%s@%s" % (local, r.choice(RCPT_DOMAINS)))
    return out


def sizes(n):
    tot = sum(c["size"] for c in CAMPAIGNS)
    out = [max(2, round(c["size"] * n / tot)) for c in CAMPAIGNS]
    big = out.index(max(out))
    out[big] += n - sum(out)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.strip().split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("-n", type=int, default=5000, help="messages (5000)")
    ap.add_argument("--seed", type=int, default=20260301)
    a = ap.parse_args()
    r = random.Random(a.seed)
    os.makedirs(a.outdir, exist_ok=True)
    pool = recipients(r, 3000)
    for c in CAMPAIGNS:
        c["btc"] = [rand_btc(r) for _ in range(r.randint(1, 5))]
        # a kit spins its button text between a couple of wordings
        c["anchors"] = r.sample(["Click here", "Continue", "Verify now",
                                 "Open", "Learn more", "Sign in"], 2)
    jobs = []
    for c, k in zip(CAMPAIGNS, sizes(a.n)):
        jobs += [c] * k
    r.shuffle(jobs)
    with open(os.path.join(a.outdir, "labels.tsv"), "w") as lab:
        for i, c in enumerate(jobs):
            rcpt = r.choice(PROBE_RCPTS if c["rcpt"] == "probe" else pool)
            name = "m%05d.eml" % i
            with open(os.path.join(a.outdir, name), "wb") as f:
                f.write(message(r, c, rcpt))
            lab.write("%s\t%s\t%s\n" % (name, c["label"], rcpt))


if __name__ == "__main__":
    main()
