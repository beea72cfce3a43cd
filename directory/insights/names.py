"""Names that people type into a search box about themselves or someone they care for.

Made up here for :mod:`directory.insights.scrub` from common knowledge of the names most
often given in England and Wales: not a complete list, just the common ones, because the
scrubber's other rules ("my name is ...", a title such as "Mrs", a capitalised word after a
first name) catch the rest. Three sets:

* ``FIRST_NAMES``: given names that are not everyday English words: removed in any case;
* ``WORDLIKE_FIRST_NAMES``: given names that are also words ("bill", "grace", "will"):
  removed only when written with a capital inside a sentence, or followed by a surname;
* ``SURNAMES``: removed only straight after a first name, a title or "my name is".
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


FIRST_NAMES = _words(
    """
    aaliyah aaron abbie abdul abdullah abigail adam adrian ahmed aidan aiden aimee aisha
    alan albert alex alexander alexandra alfie alice alicia alison amanda amelia amir amy
    andrea andrew angela ann anna anne annie anthony archie arthur ashley ava
    barbara barry beatrice ben benjamin beth bethan bethany betty beverley billy bobby
    brandon brenda brian bridget bryan callum cameron carl caroline carly catherine charlie
    charles charlotte chloe chris christine christopher claire clare colin connor
    craig daniel danielle darren david dean debbie deborah declan denise dennis derek diana
    diane donna dorothy dylan edward eileen elaine eleanor elizabeth ella ellie emily emma
    eric erin ethan evelyn evie fatima fiona francesca freddie freya gareth gary
    gemma geoffrey george georgia gillian gordon graham hannah harriet harrison harry
    harvey hayley helen henry hollie hugo ian imogen irene isaac isabel isabella isabelle
    isla jacob james jamie jane janet janice jason jasmine jayden jeffrey jennifer jenny
    jeremy jessica joan joanne jodie joe joel john jonathan joseph joshua josephine joyce
    judith julia julie justin karen kate katherine kathleen kathryn katie kayleigh keith
    kelly kenneth kerry kevin kieran kimberley kirsty laura lauren leah leo leon lewis liam
    linda lindsey lisa logan louis louise lucy luke lydia lynn lynne maisie malcolm margaret
    maria marie marion martin mary maureen megan melanie melissa michael michelle mohammed
    mohammad muhammad molly nathan neil nicholas nicola nigel noah nora norah oliver olivia
    oscar owen pamela patricia patrick paul paula pauline peter philip phoebe poppy rachel
    rebecca richard robert roger ronald rosie ross russell ruth ryan samantha samuel sandra
    sarah scarlett sean shannon sharon sheila shirley simon sophia sophie stacey stephanie
    stephen steven stuart susan suzanne sylvia tanya teresa theo theodore thomas timothy
    toby tom tommy tony tracey tracy trevor valerie vanessa vincent wayne wendy
    william yasmin yvonne zara zoe
    """
)

WORDLIKE_FIRST_NAMES = _words(
    """
    amber angel april art bill bob carol chase daisy dawn dot eve faith frank gene grace
    guy hazel heather holly hope iris ivy jack jay jean joy june kit lily mark max may miles
    olive pat pearl penny ray rich robin rose ruby sandy sky stan sue summer will
    """
)

SURNAMES = _words(
    """
    adams ahmed akhtar ali allen anderson andrews armstrong arnold atkinson austin bailey
    baker ball banks barker barlow barnes barnett barrett barton bates baxter begum bell
    bennett berry bibi bird bishop blake bond booth bradley briggs brooks brown buckley
    burgess burke burns burton butler byrne campbell carr carter chambers chapman clark
    clarke clayton cole coleman collins cook cooke cooper cox cross cunningham curtis
    davidson davies davis dawson dean dixon douglas doyle dunn edwards elliott ellis evans
    ferguson field fisher fletcher ford foster fowler fox francis freeman french frost
    gallagher gardner george gibbs gibson gilbert gill gordon graham grant gray green
    greenwood gregory griffin griffiths hall hamilton hammond hancock harding hardy harper
    harris harrison hart hartley harvey hawkins hayes hayward heath henderson hewitt higgins
    hill hodgson holland holmes holt hopkins howard howe hudson hughes hunt hunter hussain
    hutchinson jackson james jarvis jenkins jennings johnson johnston jones jordan kaur kelly
    kemp kennedy khan king knight knowles lambert lane lawrence lawson lee lewis lloyd lowe
    lucas lynch mann marsh marshall martin mason matthews mccarthy mcdonald miah middleton
    miller mills mitchell moore morgan morris morrison morton moss murphy murray nash nelson
    newman newton nicholls nicholson norman norris obrien oconnor oliver oneill osborne owen
    page palmer parker parry parsons patel payne pearce pearson perry peters phillips poole
    porter potter powell preston price pritchard pugh quinn read reed rees reid reynolds
    richards richardson riley roberts robertson robinson robson rogers rose ross rowe russell
    ryan sanders saunders scott sharp shaw shepherd simmons simpson singh slater smith
    spencer stanley stephens stephenson stevens stevenson stewart stokes stone storey
    sullivan sutton taylor thomas thompson thomson thornton todd townsend tucker turner walker
    wallace walsh walters walton ward warren watkins watson watts webb webster wells west
    wheeler white whitehead wilkinson williams williamson willis wilson wood woods woodward
    wright yates young
    """
)

#: Titles before a surname: "Mrs Jones", "Dr Patel".
TITLES = _words("mr mrs ms miss mx dr sir dame lady lord rev")
